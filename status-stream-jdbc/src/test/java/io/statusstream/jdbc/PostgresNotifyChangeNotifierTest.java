package io.statusstream.jdbc;

import io.statusstream.core.ChangeNotifier;
import io.statusstream.core.EventSerializer;
import io.statusstream.core.StatusStream;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.jdbc.testing.CountingDataSource;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.SwitchableDataSource;
import io.statusstream.jdbc.testing.TestDatabase;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static io.statusstream.jdbc.Conditions.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code LISTEN/NOTIFY} push against a real PostgreSQL: the shipped trigger, delivery ahead of a one-hour poll
 * interval, reconnection after the listener's backend is terminated, and clean release on close.
 */
@RequiresDatabase(TestDatabase.POSTGRES)
class PostgresNotifyChangeNotifierTest {

    static final Duration ONE_HOUR = Duration.ofHours(1);
    static final Duration WAIT = Duration.ofSeconds(10);

    record Bot(long id, String name, long version) {
    }

    static final RowMapper<Bot> BOTS = (rs, row) -> new Bot(rs.getLong("id"), rs.getString("name"),
            rs.getLong("version"));
    static final EventSerializer<Long, Bot> SERIALIZER = event -> event.key() + "|" + event.kind() + "|"
            + (event.state() == null ? "-" : event.state().name() + "@" + event.state().version());

    final TestDatabase database = TestDatabase.POSTGRES;
    final DataSource dataSource = database.dataSource();
    final JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    final List<AutoCloseable> toClose = new ArrayList<>();
    String table;
    String channel;

    @BeforeEach
    void createTableWithTrigger() throws SQLException {
        table = "ss_notify_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        channel = table + "_changed";
        jdbc.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name TEXT NOT NULL, version BIGINT NOT NULL)");
        PostgresNotifyChangeNotifier.installTrigger(dataSource, table, "id", channel);
    }

    @AfterEach
    void closeAndDrop() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        if (table != null) {
            jdbc.execute("DROP TABLE " + table);
        }
    }

    @Test
    void theTriggerNotifiesTheKeyOfEveryInsertedUpdatedAndDeletedRowAndTruncateAsksForAResync() throws Exception {
        RecordingNotifier<Long> hints = new RecordingNotifier<>(ChangeNotifier.none());
        PostgresNotifyChangeNotifier<Long> notifier = started(builder(), hints);
        assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).as("resync after the first LISTEN").isTrue();

        jdbc.update("INSERT INTO " + table + " VALUES (1, 'one', 1)");
        jdbc.update("UPDATE " + table + " SET id = 2 WHERE id = 1");
        jdbc.update("DELETE FROM " + table + " WHERE id = 2");
        assertThat(hints.await(h -> h.keys().size() >= 4, WAIT)).isTrue();
        jdbc.execute("TRUNCATE " + table);

        assertThat(hints.await(h -> h.resyncs() == 2, WAIT)).isTrue();
        assertThat(hints.keys()).containsExactly(1L, 1L, 2L, 2L);
        assertThat(notifier.isListening()).isTrue();
    }

    @Test
    void installingTheTriggerAgainKeepsOneNotificationPerWriteAndAsksListenersForAFullPoll() throws Exception {
        RecordingNotifier<Long> hints = new RecordingNotifier<>(ChangeNotifier.none());
        started(builder(), hints);
        assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).isTrue();

        PostgresNotifyChangeNotifier.installTrigger(dataSource, table, "id", channel);

        assertThat(hints.await(h -> h.resyncs() == 2, WAIT)).as("a full poll once the trigger is (re)installed")
                .isTrue();
        jdbc.update("INSERT INTO " + table + " VALUES (3, 'three', 1)");
        jdbc.execute("SELECT pg_notify('" + channel + "', '4')");
        assertThat(hints.await(h -> h.keys().contains(4L), WAIT)).isTrue();
        assertThat(hints.keys()).as("one trigger, not two").containsExactly(3L, 4L);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = ?::regclass"
                + " AND NOT tgisinternal", Integer.class, table)).isEqualTo(2);
    }

    @Test
    void installingTheTriggerOnAMissingTableFailsAndChangesNothing() {
        assertThatThrownBy(() -> PostgresNotifyChangeNotifier.installTrigger(dataSource, table + "_missing", "id",
                channel)).isInstanceOf(SQLException.class).hasMessageContaining(table + "_missing");
    }

    @Test
    void sendsTextKeysWithQuotesOrSqlAsTheyAre() throws Exception {
        String texts = table + "_t";
        String key = "O'Brien \"x\"); DROP TABLE " + table + "; --";
        jdbc.execute("CREATE TABLE " + texts + " (code TEXT PRIMARY KEY)");
        try {
            PostgresNotifyChangeNotifier.installTrigger(dataSource, texts, "code", channel);
            RecordingNotifier<String> hints = new RecordingNotifier<>(ChangeNotifier.none());
            PostgresNotifyChangeNotifier<String> notifier = PostgresNotifyChangeNotifier
                    .<String>builder(database.url(), credentials(), channel, payload -> payload)
                    .build();
            toClose.add(notifier);
            notifier.start(hints);
            assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).isTrue();

            jdbc.update("INSERT INTO " + texts + " (code) VALUES (?)", key);

            assertThat(hints.await(h -> !h.keys().isEmpty(), WAIT)).isTrue();
            assertThat(hints.keys()).containsExactly(key);
        } finally {
            jdbc.execute("DROP TABLE " + texts);
        }
    }

    @Test
    void listensOnAConnectionBorrowedFromAPool() throws Exception {
        RecordingNotifier<Long> hints = new RecordingNotifier<>(ChangeNotifier.none());
        started(PostgresNotifyChangeNotifier.builder(pool(), channel, Long::valueOf), hints);
        assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).isTrue();

        jdbc.update("INSERT INTO " + table + " VALUES (5, 'five', 1)");

        assertThat(hints.await(h -> h.keys().contains(5L), WAIT)).isTrue();
    }

    @Test
    void aWriteInAnotherConnectionReachesASubscriberLongBeforeThePollInterval() throws Exception {
        jdbc.update("INSERT INTO " + table + " VALUES (1, 'v0', 0)");
        PostgresNotifyChangeNotifier<Long> notifier = builder().build();
        StatusStream<Long, Bot> stream = stream(source(pool()), notifier, null);
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of(1L), null, sink);
        assertThat(sink.await(event -> event.equals("1|SNAPSHOT|v0@0"), 10, TimeUnit.SECONDS)).isTrue();
        assertThat(eventually(WAIT, notifier::isListening)).isTrue();

        List<Long> latencies = new ArrayList<>();
        try (Connection writer = database.connect(); Statement statement = writer.createStatement()) {
            for (int version = 1; version <= 20; version++) {
                String expected = "1|CHANGE|v" + version + "@" + version;
                long written = System.nanoTime();
                statement.executeUpdate("UPDATE " + table + " SET name = 'v" + version + "', version = " + version
                        + " WHERE id = 1");

                assertThat(sink.await(expected::equals, 10, TimeUnit.SECONDS))
                        .as("delivered by the push, the poll interval being an hour").isTrue();
                latencies.add(TimeUnit.NANOSECONDS.toMicros(sink.arrivalOf(expected::equals) - written));
            }
        }
        Collections.sort(latencies);
        System.out.printf("[figures] NOTIFY -> subscriber latency over %d writes: median %.1f ms, max %.1f ms%n",
                latencies.size(), latencies.get(latencies.size() / 2) / 1000.0,
                latencies.get(latencies.size() - 1) / 1000.0);
    }

    @Test
    void aBurstOfNotificationsForOneKeyCostsOneFetch() throws Exception {
        jdbc.update("INSERT INTO " + table + " VALUES (1, 'v0', 0)");
        CountingDataSource counting = new CountingDataSource(dataSource);
        ManualStreamScheduler scheduler = new ManualStreamScheduler();
        RecordingNotifier<Long> hints = new RecordingNotifier<>(builder().build());
        StatusStream<Long, Bot> stream = stream(source(counting), hints, scheduler);
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of(1L), null, sink);
        scheduler.runDue();
        assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).isTrue();
        scheduler.runDue();
        counting.reset();

        for (int version = 1; version <= 50; version++) {
            jdbc.update("UPDATE " + table + " SET name = ?, version = ? WHERE id = 1", "v" + version, version);
        }
        assertThat(hints.await(h -> h.keys().size() == 50, WAIT)).isTrue();
        scheduler.runDue();

        assertThat(counting.statements()).isEqualTo(1);
        assertThat(sink.data()).containsExactly("1|SNAPSHOT|v0@0", "1|CHANGE|v50@50");
    }

    @Test
    void survivesTheTerminationOfItsBackendAndResyncsSoNothingIsMissed() throws Exception {
        jdbc.update("INSERT INTO " + table + " VALUES (1, 'v0', 0)");
        PostgresNotifyChangeNotifier<Long> notifier = PostgresNotifyChangeNotifier
                .<Long>builder(database.url(), credentials(), channel, Long::valueOf)
                .reconnectBackoff(Duration.ofMillis(300), Duration.ofSeconds(1))
                .build();
        RecordingNotifier<Long> hints = new RecordingNotifier<>(notifier);
        StatusStream<Long, Bot> stream = stream(source(dataSource), hints, null);
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of(1L), null, sink);
        assertThat(sink.await(event -> event.equals("1|SNAPSHOT|v0@0"), 10, TimeUnit.SECONDS)).isTrue();
        assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).isTrue();

        try (LogRecorder log = LogRecorder.of(PostgresNotifyChangeNotifier.class)) {
            assertThat(terminateListenerBackends()).isEqualTo(1);
            // written while nobody listens: its notification is lost, only the resync can deliver it
            jdbc.update("UPDATE " + table + " SET name = 'missed', version = 1 WHERE id = 1");

            assertThat(sink.await("1|CHANGE|missed@1"::equals, 10, TimeUnit.SECONDS)).isTrue();
            assertThat(hints.await(h -> h.resyncs() == 2, WAIT)).as("a full poll after the reconnect").isTrue();
            assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("not listening");
            assertThat(log.messages(Level.INFO)).singleElement().asString().contains("listening again");
        }

        jdbc.update("UPDATE " + table + " SET name = 'after', version = 2 WHERE id = 1");
        assertThat(sink.await("1|CHANGE|after@2"::equals, 10, TimeUnit.SECONDS)).as("pushes again").isTrue();
    }

    @Test
    void keepsRetryingWhileTheDatabaseIsUnreachableAndResyncsOnceItIsBack() throws Exception {
        SwitchableDataSource switchable = new SwitchableDataSource(database);
        switchable.goDown();
        RecordingNotifier<Long> hints = new RecordingNotifier<>(ChangeNotifier.none());
        try (LogRecorder log = LogRecorder.of(PostgresNotifyChangeNotifier.class)) {
            PostgresNotifyChangeNotifier<Long> notifier = started(
                    PostgresNotifyChangeNotifier.<Long>builder(switchable, channel, Long::valueOf)
                            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)), hints);
            assertThat(eventually(WAIT, () -> !log.messages(Level.WARNING).isEmpty())).isTrue();
            assertThat(notifier.isListening()).isFalse();

            switchable.comeBack();

            assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).isTrue();
            assertThat(notifier.isListening()).isTrue();
            assertThat(log.messages(Level.WARNING)).as("one line per outage").hasSize(1);
            assertThat(log.messages(Level.INFO)).singleElement().asString().contains("listening again");
        }
    }

    @Test
    void skipsPayloadsTheKeyParserRejectsAndKeepsTheRest() throws Exception {
        RecordingNotifier<Long> hints = new RecordingNotifier<>(ChangeNotifier.none());
        try (LogRecorder log = LogRecorder.of(PostgresNotifyChangeNotifier.class)) {
            started(builder(), hints);
            assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).isTrue();

            jdbc.execute("SELECT pg_notify('" + channel + "', 'not a number'), pg_notify('" + channel + "', '7')");
            jdbc.execute("SELECT pg_notify('" + channel + "', 'nor this'), pg_notify('" + channel + "', '8')");

            assertThat(hints.await(h -> h.keys().size() == 2, WAIT)).isTrue();
            assertThat(hints.keys()).containsExactly(7L, 8L);
            assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("not a number");
        }
    }

    @Test
    void closeEndsItsThreadAndReleasesItsConnection() throws Exception {
        RecordingNotifier<Long> hints = new RecordingNotifier<>(ChangeNotifier.none());
        PostgresNotifyChangeNotifier<Long> notifier = PostgresNotifyChangeNotifier
                .<Long>builder(database.url(), credentials(), channel, Long::valueOf)
                .build();
        notifier.start(hints);
        assertThat(hints.await(h -> h.resyncs() == 1, WAIT)).isTrue();
        assertThat(listenerBackends()).isEqualTo(1);

        notifier.close();

        assertThat(listenerThreads()).isEmpty();
        assertThat(eventually(WAIT, () -> listenerBackends() == 0)).isTrue();
        notifier.close();
    }

    // ------------------------------------------------------------------------------------------------- plumbing

    PostgresNotifyChangeNotifier.Builder<Long> builder() {
        return PostgresNotifyChangeNotifier.<Long>builder(database.url(), credentials(), channel, Long::valueOf)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    /** A small pool, as in production: the latency measured is not that of opening a connection per fetch. */
    DataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.url());
        config.setUsername(database.user());
        config.setPassword(database.password());
        config.setMaximumPoolSize(2);
        HikariDataSource pool = new HikariDataSource(config);
        toClose.add(pool);
        return pool;
    }

    Properties credentials() {
        Properties properties = new Properties();
        properties.setProperty("user", database.user());
        properties.setProperty("password", database.password());
        return properties;
    }

    PostgresNotifyChangeNotifier<Long> started(PostgresNotifyChangeNotifier.Builder<Long> builder,
                                               ChangeNotifier.Listener<Long> listener) {
        PostgresNotifyChangeNotifier<Long> notifier = builder.build();
        toClose.add(notifier);
        notifier.start(listener);
        return notifier;
    }

    JdbcStateSource<Long, Bot> source(DataSource from) {
        return JdbcStateSource.forTable(from, table, "id", Long.class, BOTS).build();
    }

    /** An engine that polls only once an hour, so any delivery before that is the push's doing. */
    StatusStream<Long, Bot> stream(JdbcStateSource<Long, Bot> source, ChangeNotifier<Long> notifier,
                                   ManualStreamScheduler scheduler) {
        var builder = StatusStream.builder(source)
                .name("notify-test")
                .pollInterval(ONE_HOUR)
                .changeNotifier(notifier)
                .writerExecutor(Runnable::run)
                .serializer(SERIALIZER);
        if (scheduler != null) {
            builder.scheduler(scheduler);
        }
        StatusStream<Long, Bot> stream = builder.build();
        toClose.add(stream);
        return stream;
    }

    int terminateListenerBackends() {
        return jdbc.queryForObject("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE application_name = ?", Integer.class, "status-stream-listen:" + channel);
    }

    int listenerBackends() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ?",
                Integer.class, "status-stream-listen:" + channel);
    }

    List<Thread> listenerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("status-stream-listen-" + channel) && thread.isAlive())
                .toList();
    }
}
