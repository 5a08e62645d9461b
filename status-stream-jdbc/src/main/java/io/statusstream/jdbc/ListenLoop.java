package io.statusstream.jdbc;

import io.statusstream.core.ChangeNotifier.Listener;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The body of a {@link PostgresNotifyChangeNotifier}'s thread: connect, {@code LISTEN}, hand notifications to the
 * listener, reconnect with backoff when the connection fails, until stopped.
 *
 * <p>Thread-safety: {@link #run} runs on one thread; {@link #stop}, {@link #isStopped} and {@link #isListening} may
 * be called from any thread. The fields below the settings are confined to the running thread unless marked
 * volatile.
 */
final class ListenLoop<K> {

    /** The notifier's logger, so that its log names one class whatever part of it speaks. */
    private static final System.Logger LOG = System.getLogger(PostgresNotifyChangeNotifier.class.getName());
    /** How long one wait for notifications lasts; bounds how long stopping takes. */
    static final int WAIT_MILLIS = 250;
    private static final int VALIDITY_TIMEOUT_SECONDS = 5;

    /** Opens a new connection. */
    @FunctionalInterface
    interface Connections {
        Connection open() throws SQLException;
    }

    private final String name;
    private final Connections connections;
    private final String channel;
    private final Function<? super String, ? extends K> keyParser;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration healthCheckInterval;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean listening;
    private boolean parseFailureLogged;

    ListenLoop(String name, Connections connections, String channel, Function<? super String, ? extends K> keyParser,
               Duration initialBackoff, Duration maxBackoff, Duration healthCheckInterval) {
        this.name = name;
        this.connections = connections;
        this.channel = channel;
        this.keyParser = keyParser;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.healthCheckInterval = healthCheckInterval;
    }

    boolean isListening() {
        return listening;
    }

    void stop() {
        stopped.countDown();
    }

    boolean isStopped() {
        return stopped.getCount() == 0;
    }

    void run(Listener<K> listener) {
        long backoffNanos = initialBackoff.toNanos();
        int failures = 0;
        long outageStart = 0;
        while (!isStopped()) {
            try (Connection connection = connections.open()) {
                listen(connection);
                listening = true;
                if (failures > 0) {
                    int attempts = failures;
                    long millis = Duration.ofNanos(System.nanoTime() - outageStart).toMillis();
                    LOG.log(Level.INFO, () -> name + ": listening again after " + attempts + " failed attempts ("
                            + millis + " ms); polling every key once");
                } else {
                    LOG.log(Level.DEBUG, () -> name + ": listening");
                }
                failures = 0;
                backoffNanos = initialBackoff.toNanos();
                deliver(listener::resync);
                receive(connection, listener);
            } catch (SQLException | RuntimeException failure) {
                listening = false;
                if (isStopped()) {
                    break;
                }
                if (failures++ == 0) {
                    outageStart = System.nanoTime();
                    LOG.log(Level.WARNING, name + ": not listening (" + failure + "); reconnecting with backoff up to "
                            + maxBackoff + ", then polling every key once. Further failures of this outage are"
                            + " logged at DEBUG.", failure);
                } else {
                    int attempts = failures;
                    LOG.log(Level.DEBUG, () -> name + ": reconnect attempt " + attempts + " failed", failure);
                }
            } finally {
                listening = false;
            }
            if (!isStopped()) {
                await(backoffNanos);
                backoffNanos = Math.min(backoffNanos * 2, maxBackoff.toNanos());
            }
        }
        LOG.log(Level.DEBUG, () -> name + ": stopped");
    }

    private void listen(Connection connection) throws SQLException {
        connection.unwrap(PGConnection.class);
        try {
            connection.setClientInfo("ApplicationName", "status-stream-listen:" + channel);
        } catch (SQLException notSupported) {
            LOG.log(Level.DEBUG, () -> name + ": could not set application_name", notSupported);
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
        while (!isStopped()) {
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
            LOG.log(Level.WARNING, name + ": skipping a payload the key parser rejected: '" + shown + "'"
                    + (failure == null ? " (parsed to null)" : "") + ". Later ones are logged at DEBUG.", failure);
        } else {
            LOG.log(Level.DEBUG, () -> name + ": skipping unparsable payload '" + shown + "'", failure);
        }
    }

    /** Calls the listener, unless stopped; its failure must not cost us the connection. */
    private void deliver(Runnable call) {
        if (isStopped()) {
            return;
        }
        try {
            call.run();
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, name + ": the listener failed", failure);
        }
    }

    private void await(long nanos) {
        try {
            stopped.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException interrupted) {
            stopped.countDown();
        }
    }
}
