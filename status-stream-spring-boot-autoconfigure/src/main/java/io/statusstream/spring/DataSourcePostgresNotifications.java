package io.statusstream.spring;

import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.util.ClassUtils;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@link PostgresNotifications} over the application's {@code DataSource}: listeners get connections of their own,
 * from the settings {@link ListenConnection} reads (once, at the first notifier); triggers opted in are installed on
 * {@link ContextRefreshedEvent} of the owning context.
 *
 * <p>Thread-safe: the settings and the triggers are guarded by this object's lock; installations run outside it.
 */
final class DataSourcePostgresNotifications implements PostgresNotifications,
        ApplicationListener<ContextRefreshedEvent> {

    private static final Log LOG = LogFactory.getLog(PostgresNotifications.class);
    private static final boolean DRIVER = ClassUtils.isPresent("org.postgresql.PGConnection",
            DataSourcePostgresNotifications.class.getClassLoader());

    private final ApplicationContext context;
    private final DataSource dataSource;
    private final Supplier<Object> connectionDetails;
    private ListenConnection connection;
    /** Requested triggers, in request order; each is attempted once. */
    private final Set<Trigger> requested = new LinkedHashSet<>();
    private final Set<Trigger> attempted = new LinkedHashSet<>();
    private boolean started;

    DataSourcePostgresNotifications(ApplicationContext context, DataSource dataSource,
                                    Supplier<Object> connectionDetails) {
        this.context = context;
        this.dataSource = dataSource;
        this.connectionDetails = connectionDetails;
    }

    @Override
    public <K> PostgresNotifyChangeNotifier<K> listen(String channel, Function<? super String, ? extends K> keyParser) {
        return this.<K>builder(channel, keyParser).build();
    }

    @Override
    public <K> PostgresNotifyChangeNotifier.Builder<K> builder(String channel,
                                                               Function<? super String, ? extends K> keyParser) {
        ListenConnection settings = connection();
        if (!DRIVER) {
            throw new IllegalStateException("PostgreSQL NOTIFY push on channel " + channel + " needs the PostgreSQL"
                    + " JDBC driver: add org.postgresql:postgresql to the application");
        }
        return PostgresNotifyChangeNotifier.builder(settings.url(), settings.properties(), channel, keyParser);
    }

    @Override
    public PostgresNotifications installTrigger(String table, String keyColumn, String channel) {
        PostgresNotifyChangeNotifier.triggerDdl(table, keyColumn, channel);
        connection();
        Trigger trigger = new Trigger(table, keyColumn, channel);
        boolean now;
        synchronized (this) {
            now = requested.add(trigger) && started;
        }
        if (now) {
            installPending();
        }
        return this;
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        if (event.getApplicationContext() != context) {
            return;
        }
        synchronized (this) {
            started = true;
        }
        installPending();
    }

    private void installPending() {
        List<Trigger> pending;
        synchronized (this) {
            pending = new ArrayList<>(requested);
            pending.removeAll(attempted);
            attempted.addAll(pending);
        }
        for (Trigger trigger : pending) {
            install(trigger);
        }
    }

    private void install(Trigger trigger) {
        try {
            PostgresNotifyChangeNotifier.installTrigger(dataSource, trigger.table(), trigger.keyColumn(),
                    trigger.channel());
            LOG.info("Installed the NOTIFY trigger of table " + trigger.table() + " (key column "
                    + trigger.keyColumn() + ") on channel " + trigger.channel());
        } catch (SQLException | RuntimeException failure) {
            LOG.warn("Could not install the NOTIFY trigger of table " + trigger.table() + " (key column "
                    + trigger.keyColumn() + ", channel " + trigger.channel() + "): " + failure.getMessage()
                    + ". Streams listening on " + trigger.channel() + " get no push from this table and see its"
                    + " changes at their poll interval. Fix the cause (does the table exist? the trigger needs its"
                    + " owner), or create the trigger in a migration with PostgresNotifyChangeNotifier.triggerDdl"
                    + " and drop installTrigger; this is not retried until the application restarts.", failure);
        }
    }

    /** The listening connection's settings, read once; fails startup if they are not PostgreSQL's. */
    private synchronized ListenConnection connection() {
        if (connection == null) {
            ListenConnection found = ListenConnection.of(dataSource, connectionDetails.get());
            if (!found.url().startsWith("jdbc:postgresql:")) {
                throw new IllegalStateException("NOTIFY push needs PostgreSQL, but the application's"
                        + " DataSource (" + found.origin() + ") connects to " + found.shownUrl() + ": declare the"
                        + " notifier only where the database is PostgreSQL (e.g. under a profile, else"
                        + " ChangeNotifier.none()), or point spring.datasource.url at PostgreSQL");
            }
            connection = found;
        }
        return connection;
    }

    @Override
    public String toString() {
        return "PostgresNotifications[" + Objects.toString(connection, "not connected yet") + "]";
    }

    /** One opted-in trigger. */
    private record Trigger(String table, String keyColumn, String channel) {
    }
}
