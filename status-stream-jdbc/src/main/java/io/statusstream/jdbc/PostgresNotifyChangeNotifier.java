package io.statusstream.jdbc;

import io.statusstream.core.ChangeNotifier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import javax.sql.DataSource;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Push hints from PostgreSQL {@code LISTEN/NOTIFY}: a trigger ({@link #triggerDdl}) sends the key of every inserted,
 * updated or deleted row on a channel, and this notifier tells the engine to poll those keys now, so a change reaches
 * subscribers within milliseconds instead of at the next poll. Notifications are hints only: they carry no state,
 * and the periodic poll stays the safety net.
 *
 * <pre>{@code
 * PostgresNotifyChangeNotifier.installTrigger(dataSource, "bot_states", "bot_id", "bot_states_changed");
 * StatusStream<Long, BotState> bots = StatusStream.builder(source)
 *         .changeNotifier(PostgresNotifyChangeNotifier.builder(dataSource, "bot_states_changed", Long::valueOf).build())
 *         .build();
 * }</pre>
 *
 * <p><b>Connection.</b> It holds one dedicated connection for its whole life, on its own daemon thread named
 * {@code status-stream-listen-<channel>}, with {@code application_name} {@code status-stream-listen:<channel>}.
 * Given the application's pool, that is one pool slot taken for good (and a leak warning if the pool's leak
 * detection is on); prefer {@link #builder(String, Properties, String, Function)} with the JDBC URL, or an unpooled
 * {@code DataSource}. The connection must be a direct PgJDBC connection (or a wrapper that unwraps to
 * {@link PGConnection}); a transaction-pooling proxy such as PgBouncer in transaction mode cannot deliver
 * notifications.
 *
 * <p><b>Failures.</b> When the connection fails (the server restarts, the backend is terminated, the network drops;
 * a silent drop is found by a validity check after a quiet {@link Builder#healthCheckInterval interval}), it
 * reconnects with exponential backoff, logging one warning per outage and one line when back. After every
 * successful {@code LISTEN}, the first included, it calls {@link Listener#resync()}: notifications sent while it was
 * not listening are lost, so the engine polls every key once.
 *
 * <p><b>Payloads.</b> Each payload is one key, turned into a key by the key parser; the keys of notifications that
 * arrive together are handed over in one {@link Listener#keysChanged} call. An empty payload (sent by the trigger on
 * {@code TRUNCATE}) asks for a resync. A payload the parser rejects (throws, or returns {@code null}) is skipped;
 * the first is logged as a warning, later ones at debug.
 *
 * <p><b>Thread-safety:</b> thread-safe. {@link #start} may be called once; {@link #close} is idempotent, stops the
 * thread and closes the connection, waiting briefly for the thread to end. The listener is called on the notifier's
 * thread only, never concurrently.
 *
 * @param <K> key type
 */
public final class PostgresNotifyChangeNotifier<K> implements ChangeNotifier<K> {

    private static final System.Logger LOG = System.getLogger(PostgresNotifyChangeNotifier.class.getName());
    /** Lower-case only: {@code LISTEN Foo} listens on {@code foo}, so a mixed-case name would never match. */
    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** How long one wait for notifications lasts; bounds how long {@link #close} waits for the thread. */
    private static final int WAIT_MILLIS = 250;
    private static final int VALIDITY_TIMEOUT_SECONDS = 5;
    private static final String TRIGGER_FUNCTION = "status_stream_notify";
    private static final int MAX_TRIGGER_CHANNEL_LENGTH = 40;

    private final ConnectionFactory connections;
    private final String channel;
    private final Function<? super String, ? extends K> keyParser;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration healthCheckInterval;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Thread thread;
    private volatile boolean listening;

    /** Thread-confined to the notifier's thread. */
    private boolean parseFailureLogged;

    private PostgresNotifyChangeNotifier(Builder<K> builder) {
        this.connections = builder.connections;
        this.channel = builder.channel;
        this.keyParser = builder.keyParser;
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.healthCheckInterval = builder.healthCheckInterval;
    }

    /**
     * A notifier whose connection comes from a {@code DataSource}, taken once and held (see the class documentation
     * about pools).
     *
     * @param dataSource where the connection is taken from, never {@code null}
     * @param channel    the channel: lower-case letters, digits and {@code _}, not starting with a digit, at most 63
     * @param keyParser  turns one payload (the key as text) into a key, e.g. {@code Long::valueOf}; never
     *                   {@code null}
     * @param <K>        key type
     * @return a builder of the notifier; nothing is connected yet
     * @throws IllegalArgumentException if the channel is not such a name
     */
    public static <K> Builder<K> builder(DataSource dataSource, String channel,
                                         Function<? super String, ? extends K> keyParser) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new Builder<>(dataSource::getConnection, "DataSource " + dataSource, channel, keyParser);
    }

    /**
     * A notifier that opens its own connections with {@link DriverManager} (the PostgreSQL driver must be on the
     * class path): no pool slot is used.
     *
     * @param url        a {@code jdbc:postgresql:} URL
     * @param properties connection properties such as {@code user} and {@code password}; copied, {@code null} for
     *                   none
     * @param channel    as for {@link #builder(DataSource, String, Function)}
     * @param keyParser  as for {@link #builder(DataSource, String, Function)}
     * @param <K>        key type
     * @return a builder of the notifier; nothing is connected yet
     * @throws IllegalArgumentException if the URL is not a PostgreSQL one or the channel is not a valid name
     */
    public static <K> Builder<K> builder(String url, Properties properties, String channel,
                                         Function<? super String, ? extends K> keyParser) {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("url must be a jdbc:postgresql: URL, was: " + url.split("\\?")[0]);
        }
        Properties copy = new Properties();
        if (properties != null) {
            copy.putAll(properties);
        }
        return new Builder<>(() -> DriverManager.getConnection(url, copy), url.split("\\?")[0], channel, keyParser);
    }

    /**
     * The DDL that makes a table notify the channel with the key of every inserted, updated (old and new key) or
     * deleted row, and with an empty payload on {@code TRUNCATE}: a shared trigger function
     * {@code status_stream_notify()} and two triggers named after the channel. Idempotent: it replaces the function
     * and triggers if they exist. Requires PostgreSQL 11 or later. Run each statement in order, in one transaction.
     *
     * @param table     plain identifier, optionally schema-qualified
     * @param keyColumn plain identifier; its value is sent as text ({@code to_jsonb(row) ->> column})
     * @param channel   as for {@link #builder(DataSource, String, Function)}, at most 40 characters here
     * @return the statements, in the order to run them; unmodifiable
     * @throws IllegalArgumentException if a name is not a plain identifier
     */
    public static List<String> triggerDdl(String table, String keyColumn, String channel) {
        KeyQuery.requireIdentifier(table, "table");
        if (KeyQuery.requireIdentifier(keyColumn, "keyColumn").contains(".")) {
            throw new IllegalArgumentException("keyColumn must be a column name, was: " + keyColumn);
        }
        requireChannel(channel);
        if (channel.length() > MAX_TRIGGER_CHANNEL_LENGTH) {
            throw new IllegalArgumentException("channel must be at most " + MAX_TRIGGER_CHANNEL_LENGTH
                    + " characters to name its triggers, was: " + channel);
        }
        // Unquoted identifiers fold to lower case, and to_jsonb keys are the folded column names.
        String column = keyColumn.toLowerCase(Locale.ROOT);
        String trigger = "status_stream_" + channel;
        String arguments = "('" + channel + "', '" + column + "')";
        return List.of(
                "CREATE OR REPLACE FUNCTION " + TRIGGER_FUNCTION + "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                        + "BEGIN\n"
                        + "  IF TG_OP = 'TRUNCATE' THEN\n"
                        + "    PERFORM pg_notify(TG_ARGV[0], '');\n"
                        + "    RETURN NULL;\n"
                        + "  END IF;\n"
                        + "  IF TG_OP <> 'INSERT' THEN\n"
                        + "    PERFORM pg_notify(TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[1]);\n"
                        + "  END IF;\n"
                        + "  IF TG_OP <> 'DELETE' THEN\n"
                        + "    PERFORM pg_notify(TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1]);\n"
                        + "  END IF;\n"
                        + "  RETURN NULL;\n"
                        + "END\n"
                        + "$$",
                "DROP TRIGGER IF EXISTS " + trigger + " ON " + table,
                "CREATE TRIGGER " + trigger + " AFTER INSERT OR UPDATE OR DELETE ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION " + TRIGGER_FUNCTION + arguments,
                "DROP TRIGGER IF EXISTS " + trigger + "_truncate ON " + table,
                "CREATE TRIGGER " + trigger + "_truncate AFTER TRUNCATE ON " + table
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + TRIGGER_FUNCTION + arguments);
    }

    /**
     * Runs {@link #triggerDdl} in one transaction, serialised with other installers by an advisory lock so that
     * application instances starting together do not collide.
     *
     * @param dataSource where a connection is borrowed for the DDL, never {@code null}
     * @param table      as for {@link #triggerDdl}
     * @param keyColumn  as for {@link #triggerDdl}
     * @param channel    as for {@link #triggerDdl}
     * @throws IllegalArgumentException if a name is not valid; nothing is run then
     * @throws SQLException             if the DDL fails; nothing is changed then
     */
    public static void installTrigger(DataSource dataSource, String table, String keyColumn, String channel)
            throws SQLException {
        List<String> ddl = triggerDdl(table, keyColumn, channel);
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(hashtext('" + TRIGGER_FUNCTION + "'))");
                for (String sql : ddl) {
                    statement.execute(sql);
                }
                connection.commit();
            } catch (SQLException | RuntimeException failure) {
                connection.rollback();
                throw failure;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    @Override
    public void start(Listener<K> listener) {
        Objects.requireNonNull(listener, "listener");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(this + " was already started");
        }
        if (closed.getCount() == 0) {
            return;
        }
        Thread listenerThread = new Thread(() -> run(listener), "status-stream-listen-" + channel);
        listenerThread.setDaemon(true);
        thread = listenerThread;
        listenerThread.start();
    }

    /**
     * Whether it is listening now: connected and {@code LISTEN} done. For health checks.
     *
     * @return {@code false} before the first {@code LISTEN}, while reconnecting and once closed
     */
    public boolean isListening() {
        return listening;
    }

    @Override
    public void close() {
        closed.countDown();
        Thread listenerThread = thread;
        if (listenerThread != null && listenerThread != Thread.currentThread()) {
            try {
                listenerThread.join(WAIT_MILLIS * 8L);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every listener of the channel receives every notification: in cluster mode only the poller acts on them. */
    @Override
    public boolean broadcast() {
        return true;
    }

    @Override
    public String toString() {
        return "PostgresNotifyChangeNotifier[channel " + channel + ", " + connections + "]";
    }

    private boolean isClosed() {
        return closed.getCount() == 0;
    }

    private void run(Listener<K> listener) {
        long backoffNanos = initialBackoff.toNanos();
        int failures = 0;
        long outageStart = 0;
        while (!isClosed()) {
            try (Connection connection = connections.open()) {
                listen(connection);
                listening = true;
                if (failures > 0) {
                    int attempts = failures;
                    long millis = Duration.ofNanos(System.nanoTime() - outageStart).toMillis();
                    LOG.log(Level.INFO, () -> this + ": listening again after " + attempts + " failed attempts ("
                            + millis + " ms); polling every key once");
                } else {
                    LOG.log(Level.DEBUG, () -> this + ": listening");
                }
                failures = 0;
                backoffNanos = initialBackoff.toNanos();
                deliver(listener::resync);
                receive(connection, listener);
            } catch (SQLException | RuntimeException failure) {
                listening = false;
                if (isClosed()) {
                    break;
                }
                if (failures++ == 0) {
                    outageStart = System.nanoTime();
                    LOG.log(Level.WARNING, this + ": not listening (" + failure + "); reconnecting with backoff up to "
                            + maxBackoff + ", then polling every key once. Further failures of this outage are"
                            + " logged at DEBUG.", failure);
                } else {
                    int attempts = failures;
                    LOG.log(Level.DEBUG, () -> this + ": reconnect attempt " + attempts + " failed", failure);
                }
            } finally {
                listening = false;
            }
            if (!isClosed()) {
                await(backoffNanos);
                backoffNanos = Math.min(backoffNanos * 2, maxBackoff.toNanos());
            }
        }
        LOG.log(Level.DEBUG, () -> this + ": stopped");
    }

    private void listen(Connection connection) throws SQLException {
        connection.unwrap(PGConnection.class);
        try {
            connection.setClientInfo("ApplicationName", "status-stream-listen:" + channel);
        } catch (SQLException notSupported) {
            LOG.log(Level.DEBUG, () -> this + ": could not set application_name", notSupported);
        }
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + channel);
        }
    }

    private void receive(Connection connection, Listener<K> listener) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        long quietSince = System.nanoTime();
        long healthCheckNanos = healthCheckInterval.toNanos();
        List<K> keys = new ArrayList<>();
        while (!isClosed()) {
            PGNotification[] notifications = postgres.getNotifications(WAIT_MILLIS);
            if (notifications != null && notifications.length > 0) {
                quietSince = System.nanoTime();
                boolean resync = false;
                for (PGNotification notification : notifications) {
                    if (!channel.equals(notification.getName())) {
                        continue;
                    }
                    String payload = notification.getParameter();
                    if (payload == null || payload.isEmpty()) {
                        resync = true;
                    } else {
                        K key = parse(payload);
                        if (key != null) {
                            keys.add(key);
                        }
                    }
                }
                if (resync) {
                    deliver(listener::resync);
                } else if (!keys.isEmpty()) {
                    List<K> batch = List.copyOf(keys);
                    deliver(() -> listener.keysChanged(batch));
                }
                keys.clear();
            } else if (System.nanoTime() - quietSince >= healthCheckNanos) {
                if (!connection.isValid(VALIDITY_TIMEOUT_SECONDS)) {
                    throw new SQLException("the listening connection failed its validity check", "08006");
                }
                quietSince = System.nanoTime();
            }
        }
    }

    private K parse(String payload) {
        K key;
        try {
            key = keyParser.apply(payload);
        } catch (RuntimeException failure) {
            logUnparsable(payload, failure);
            return null;
        }
        if (key == null) {
            logUnparsable(payload, null);
        }
        return key;
    }

    private void logUnparsable(String payload, Throwable failure) {
        String shown = JdbcStateSource.printable(payload);
        if (!parseFailureLogged) {
            parseFailureLogged = true;
            LOG.log(Level.WARNING, this + ": skipping a payload the key parser rejected: '" + shown + "'"
                    + (failure == null ? " (parsed to null)" : "") + ". Later ones are logged at DEBUG.", failure);
        } else {
            LOG.log(Level.DEBUG, () -> this + ": skipping unparsable payload '" + shown + "'", failure);
        }
    }

    /** Calls the listener, unless closed; its failure must not cost us the connection. */
    private void deliver(Runnable call) {
        if (isClosed()) {
            return;
        }
        try {
            call.run();
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, this + ": the listener failed", failure);
        }
    }

    private void await(long nanos) {
        try {
            closed.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException interrupted) {
            closed.countDown();
        }
    }

    private static String requireChannel(String channel) {
        if (channel == null || !CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("channel must be lower-case letters, digits and '_', not starting"
                    + " with a digit, at most 63 characters (it is used unquoted in LISTEN), was: " + channel);
        }
        return channel;
    }

    /** Opens a new connection. */
    @FunctionalInterface
    private interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /**
     * Configures a {@link PostgresNotifyChangeNotifier}. Each setting may be set once; {@link #build()} does not
     * change the builder. Not thread-safe.
     *
     * @param <K> key type
     */
    public static final class Builder<K> {

        /** First wait before reconnecting; doubled after each failed attempt. */
        public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
        /** Longest wait between reconnect attempts. */
        public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
        /** Quiet time after which the connection's validity is checked, to find silently dropped connections. */
        public static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(30);

        private final ConnectionFactory connections;
        private final String description;
        private final String channel;
        private final Function<? super String, ? extends K> keyParser;
        private Duration initialBackoff;
        private Duration maxBackoff;
        private Duration healthCheckInterval;

        private Builder(ConnectionFactory connections, String description, String channel,
                        Function<? super String, ? extends K> keyParser) {
            ConnectionFactory factory = Objects.requireNonNull(connections, "connections");
            this.connections = new ConnectionFactory() {
                @Override
                public Connection open() throws SQLException {
                    return factory.open();
                }

                @Override
                public String toString() {
                    return description;
                }
            };
            this.description = description;
            this.channel = requireChannel(channel);
            this.keyParser = Objects.requireNonNull(keyParser, "keyParser");
        }

        /**
         * Reconnect backoff: the first wait, doubled after each failed attempt up to {@code max}. See
         * {@link #DEFAULT_INITIAL_BACKOFF} and {@link #DEFAULT_MAX_BACKOFF}.
         *
         * @param initial the first wait, positive
         * @param max     the longest wait, at least {@code initial}
         * @return this builder
         */
        public Builder<K> reconnectBackoff(Duration initial, Duration max) {
            if (initialBackoff != null) {
                throw new IllegalStateException("reconnectBackoff was already set to " + initialBackoff + ", "
                        + maxBackoff);
            }
            requirePositive(initial, "initial backoff");
            requirePositive(max, "max backoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff " + max + " is shorter than initial " + initial);
            }
            initialBackoff = initial;
            maxBackoff = max;
            return this;
        }

        /**
         * Quiet time after which the connection is checked; see {@link #DEFAULT_HEALTH_CHECK_INTERVAL}.
         *
         * @param interval how long without a notification before a validity check, positive
         * @return this builder
         */
        public Builder<K> healthCheckInterval(Duration interval) {
            if (healthCheckInterval != null) {
                throw new IllegalStateException("healthCheckInterval was already set to " + healthCheckInterval);
            }
            healthCheckInterval = requirePositive(interval, "healthCheckInterval");
            return this;
        }

        /**
         * Builds the notifier; it connects when the engine {@link #start starts} it, in the background.
         *
         * @return a new notifier, not started
         */
        public PostgresNotifyChangeNotifier<K> build() {
            Builder<K> effective = new Builder<>(connections, description, channel, keyParser);
            effective.initialBackoff = initialBackoff == null ? DEFAULT_INITIAL_BACKOFF : initialBackoff;
            effective.maxBackoff = maxBackoff == null ? DEFAULT_MAX_BACKOFF : maxBackoff;
            effective.healthCheckInterval = healthCheckInterval == null
                    ? DEFAULT_HEALTH_CHECK_INTERVAL : healthCheckInterval;
            return new PostgresNotifyChangeNotifier<>(effective);
        }

        private static Duration requirePositive(Duration duration, String setting) {
            Objects.requireNonNull(duration, setting);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(setting + " must be positive, was " + duration);
            }
            return duration;
        }
    }
}
