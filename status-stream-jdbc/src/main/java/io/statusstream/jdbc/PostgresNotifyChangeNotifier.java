package io.statusstream.jdbc;

import io.statusstream.core.ChangeNotifier;
import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
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
 *         .changeNotifier(PostgresNotifyChangeNotifier
 *                 .builder(jdbcUrl, credentials, "bot_states_changed", Long::valueOf)   // its own connection
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>In a Spring Boot application the starter's {@code PostgresNotifications} bean builds it from the application's
 * {@code DataSource} in one line, and installs the trigger once the application has started if asked to.
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

    /** Lower-case only: {@code LISTEN Foo} listens on {@code foo}, so a mixed-case name would never match. */
    private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final String channel;
    private final String name;
    private final ListenLoop<K> loop;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Thread thread;

    private PostgresNotifyChangeNotifier(Builder<K> builder) {
        this.channel = builder.channel;
        this.name = "PostgresNotifyChangeNotifier[channel " + builder.channel + ", " + builder.description + "]";
        this.loop = new ListenLoop<>(name, builder.connections, builder.channel, builder.keyParser,
                builder.initialBackoff, builder.maxBackoff, builder.healthCheckInterval);
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
            throw new IllegalArgumentException("url must be a jdbc:postgresql: URL, was: " + withoutQuery(url));
        }
        Properties copy = new Properties();
        if (properties != null) {
            copy.putAll(properties);
        }
        return new Builder<>(() -> DriverManager.getConnection(url, copy), withoutQuery(url), channel, keyParser);
    }

    /**
     * The DDL that makes a table notify the channel with the key of every inserted, updated (old and new key) or
     * deleted row, and with an empty payload on {@code TRUNCATE}: a shared trigger function
     * {@code status_stream_notify()} and two triggers named after the channel. Idempotent: it replaces the function
     * and triggers if they exist. Requires PostgreSQL 11 or later. Run each statement in order, in one transaction
     * (e.g. as a migration).
     *
     * @param table     plain identifier, optionally schema-qualified
     * @param keyColumn plain identifier; its value is sent as text ({@code to_jsonb(row) ->> column})
     * @param channel   as for {@link #builder(DataSource, String, Function)}, at most 40 characters here
     * @return the statements, in the order to run them; unmodifiable
     * @throws IllegalArgumentException if a name is not a plain identifier
     */
    public static List<String> triggerDdl(String table, String keyColumn, String channel) {
        return NotifyTrigger.ddl(table, keyColumn, channel);
    }

    /**
     * Runs {@link #triggerDdl} in one transaction, serialised with other installers by an advisory lock so that
     * application instances starting together do not collide, and waiting at most 10 seconds for the table's lock.
     * Idempotent. On commit it also sends an empty notification on the channel, so that whoever listens already
     * polls every key once: writes made before the trigger existed are not left to the next poll.
     *
     * @param dataSource where a connection is borrowed for the DDL, never {@code null}
     * @param table      as for {@link #triggerDdl}
     * @param keyColumn  as for {@link #triggerDdl}
     * @param channel    as for {@link #triggerDdl}
     * @throws IllegalArgumentException if a name is not valid, or the database is not PostgreSQL; nothing is run then
     * @throws SQLException             if the DDL fails (the table does not exist, the user does not own it, its lock
     *                                  was not had in time); nothing is changed then
     */
    public static void installTrigger(DataSource dataSource, String table, String keyColumn, String channel)
            throws SQLException {
        NotifyTrigger.install(Objects.requireNonNull(dataSource, "dataSource"), table, keyColumn, channel);
    }

    @Override
    public void start(Listener<K> listener) {
        Objects.requireNonNull(listener, "listener");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(this + " was already started");
        }
        if (loop.isStopped()) {
            return;
        }
        Thread listenerThread = new Thread(() -> loop.run(listener), "status-stream-listen-" + channel);
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
        return loop.isListening();
    }

    @Override
    public void close() {
        loop.stop();
        Thread listenerThread = thread;
        if (listenerThread != null && listenerThread != Thread.currentThread()) {
            try {
                listenerThread.join(ListenLoop.WAIT_MILLIS * 8L);
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
        return name;
    }

    static String requireChannel(String channel) {
        if (channel == null || !CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("channel must be lower-case letters, digits and '_', not starting"
                    + " with a digit, at most 63 characters (it is used unquoted in LISTEN), was: " + channel);
        }
        return channel;
    }

    private static String withoutQuery(String url) {
        return url.split("\\?")[0];
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

        private final ListenLoop.Connections connections;
        private final String description;
        private final String channel;
        private final Function<? super String, ? extends K> keyParser;
        private Duration initialBackoff;
        private Duration maxBackoff;
        private Duration healthCheckInterval;

        private Builder(ListenLoop.Connections connections, String description, String channel,
                        Function<? super String, ? extends K> keyParser) {
            this.connections = Objects.requireNonNull(connections, "connections");
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
