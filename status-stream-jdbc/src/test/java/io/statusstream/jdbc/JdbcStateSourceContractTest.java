package io.statusstream.jdbc;

import io.statusstream.core.ChangeDetector;
import io.statusstream.core.EventSerializer;
import io.statusstream.core.StatusStream;
import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.Subscription;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.jdbc.testing.CountingDataSource;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.SwitchableDataSource;
import io.statusstream.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataRetrievalFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every supported database must meet, run against real servers: one thin subclass per database names
 * it with {@link RequiresDatabase} and supplies its column types. Every test works on its own freshly created table.
 */
abstract class JdbcStateSourceContractTest {

    static final Instant UPDATED_AT = OffsetDateTime.parse("2026-11-24T18:30:15.123456+05:30").toInstant();
    static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

    /** One row of the test table. */
    record Bot(String id, String name, BigDecimal amount, boolean active, Instant updatedAt, long version) {
    }

    static final RowMapper<Bot> BOTS = (rs, rowNum) -> {
        String name = rs.getString("name");
        if (name.startsWith("poison")) {
            throw new IllegalStateException("the mapper cannot read bot " + rs.getString("id"));
        }
        OffsetDateTime updatedAt = rs.getObject("updated_at", OffsetDateTime.class);
        return new Bot(rs.getString("id"), name, rs.getBigDecimal("amount"), rs.getBoolean("active"),
                updatedAt == null ? null : updatedAt.toInstant(), rs.getLong("version"));
    };

    /** {@code key|KIND|name@version}, so tests see which key and kind every event was. */
    static final EventSerializer<String, Bot> SERIALIZER = event -> event.key() + "|" + event.kind() + "|"
            + (event.state() == null ? "-" : event.state().name() + "@" + event.state().version());

    protected final TestDatabase database = getClass().getAnnotation(RequiresDatabase.class).value();
    protected final DataSource dataSource = database.dataSource();
    protected final JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    protected final CountingDataSource counting = new CountingDataSource(dataSource);
    protected final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    protected final List<StatusStream<?, ?>> streams = new ArrayList<>();
    protected String table;

    /** The dialect the source must detect. */
    abstract SqlDialect expectedDialect();

    /** A string key column type whose comparison is exact ({@code equals}), case included. */
    String keyColumnType() {
        return "VARCHAR(200)";
    }

    /** A column type that keeps an instant, with its zone or normalised to UTC. */
    abstract String timestampWithZoneType();

    /** An SQL expression that takes about this many seconds to evaluate. */
    abstract String sleepExpression(int seconds);

    @BeforeEach
    void createTable() {
        table = "ss_bots_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        jdbc.execute("CREATE TABLE " + table + " (id " + keyColumnType() + " PRIMARY KEY,"
                + " name VARCHAR(100) NOT NULL, amount DECIMAL(19, 4), active BOOLEAN,"
                + " updated_at " + timestampWithZoneType() + ", version BIGINT NOT NULL)");
    }

    @AfterEach
    void dropTable() {
        streams.forEach(StatusStream::close);
        if (table != null) {
            jdbc.execute("DROP TABLE " + table);
        }
    }

    // ------------------------------------------------------------------------------------------------- fetching

    @Test
    void fetchesOneKeyWithOneStatement() {
        insert("a", "alpha");

        Map<String, Bot> fetched = source(counting).fetch(List.of("a"));

        assertThat(fetched).containsOnlyKeys("a");
        assertThat(fetched.get("a").name()).isEqualTo("alpha");
        assertThat(counting.statements()).isEqualTo(1);
    }

    @Test
    void fetchesAllKeysOfAChunkInOneStatement() {
        List<String> keys = insertMany(300);

        Map<String, Bot> fetched = source(counting).fetch(keys);

        assertThat(fetched).hasSize(300).containsKeys(keys.toArray(String[]::new));
        assertThat(counting.statements()).isEqualTo(1);
    }

    @Test
    void bindsAtMostOneThousandAndTwentyFourKeysPerInListAndAnArrayOnPostgres() {
        List<String> keys = insertMany(1500);

        Map<String, Bot> fetched = source(counting).fetch(keys);

        assertThat(fetched).hasSize(1500);
        assertThat(counting.statements()).isEqualTo(expectedDialect() == SqlDialect.POSTGRESQL ? 1 : 2);
    }

    @Test
    void padsInListsToAFewStatementShapes() {
        List<String> keys = insertMany(40);
        JdbcStateSource<String, Bot> source = source(counting);

        for (int size = 1; size <= 40; size++) {
            assertThat(source.fetch(keys.subList(0, size))).hasSize(size);
        }

        // 1, 2, 4, 8, 16, 32, 64 parameters; one text with = ANY(?)
        assertThat(counting.sql().stream().distinct().count())
                .isEqualTo(expectedDialect() == SqlDialect.POSTGRESQL ? 1 : 7);
    }

    @Test
    void readsNumericKeysAsTheirJavaType() {
        String numbers = table + "_n";
        jdbc.execute("CREATE TABLE " + numbers + " (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)");
        try {
            jdbc.update("INSERT INTO " + numbers + " (id, name) VALUES (1, 'one'), (2, 'two'), (9007199254740993, 'big')");
            JdbcStateSource<Long, String> source = JdbcStateSource
                    .forTable(counting, numbers, "id", Long.class, (rs, row) -> rs.getString("name"))
                    .build();

            Map<Long, String> fetched = source.fetch(List.of(1L, 3L, 9007199254740993L));

            assertThat(fetched).containsExactlyInAnyOrderEntriesOf(Map.of(1L, "one", 9007199254740993L, "big"));
            assertThat(counting.statements()).isEqualTo(1);
        } finally {
            jdbc.execute("DROP TABLE " + numbers);
        }
    }

    @Test
    void leavesOutAKeyWithoutARow() {
        insert("a", "alpha");

        Map<String, Bot> fetched = source(dataSource).fetch(List.of("a", "missing"));

        assertThat(fetched).containsOnlyKeys("a");
    }

    @Test
    void keepsDecimalBooleanAndTimestampWithZoneIntact() {
        jdbc.update("INSERT INTO " + table + " (id, name, amount, active, updated_at, version) VALUES (?, ?, ?, ?, ?, ?)",
                "t", "typed", new BigDecimal("-12345.6789"), false,
                OffsetDateTime.parse("2026-11-24T18:30:15.123456+05:30"), 7L);

        Bot bot = source(dataSource).fetch(List.of("t")).get("t");

        assertThat(bot.amount()).isEqualTo(new BigDecimal("-12345.6789"));
        assertThat(bot.active()).isFalse();
        assertThat(bot.updatedAt()).isEqualTo(UPDATED_AT);
        assertThat(bot.version()).isEqualTo(7L);
    }

    @Test
    void treatsKeysWithQuotesOrSqlAsPlainValues() {
        String quote = "O'Brien";
        String injection = "x' OR '1'='1";
        String dropTable = "'); DROP TABLE " + table + "; --";
        String doubleQuoted = "\"quoted\" \\ back%slash_";
        insert(quote, "quote");
        insert(dropTable, "drop");

        Map<String, Bot> fetched = source(dataSource).fetch(List.of(quote, injection, dropTable, doubleQuoted));

        assertThat(fetched).containsOnlyKeys(quote, dropTable);
        assertThat(fetched.get(dropTable).name()).isEqualTo("drop");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Integer.class)).isEqualTo(2);
    }

    @Test
    void detectsItsDialectFromTheConnection() {
        assertThat(source(dataSource).dialect()).isEqualTo(expectedDialect());
    }

    @Test
    void runsACustomQueryWithTheKeysPlaceholder() {
        insert("a", "alpha");
        insert("b", "beta");
        jdbc.update("UPDATE " + table + " SET active = ? WHERE id = ?", false, "b");
        JdbcStateSource<String, Bot> source = JdbcStateSource.forQuery(counting,
                        "SELECT id, name, amount, active, updated_at, version FROM " + table
                                + " WHERE id in ( :keys ) AND active = TRUE ORDER BY id",
                        "id", String.class, BOTS)
                .build();

        assertThat(source.fetch(List.of("a", "b", "c"))).containsOnlyKeys("a");
        assertThat(counting.statements()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ unreadable keys

    @Test
    void servesTheOtherKeysWhenTheMapperCannotReadOneRowAndReportsItOnce() {
        insert("a", "alpha");
        insert("b", "poison");
        insert("c", "gamma");
        JdbcStateSource<String, Bot> source = source(counting);

        try (LogRecorder log = LogRecorder.of(JdbcStateSource.class)) {
            assertThat(source.fetch(List.of("a", "b", "c"))).containsOnlyKeys("a", "c");
            assertThat(source.fetch(List.of("a", "b", "c"))).containsOnlyKeys("a", "c");
            assertThat(source.unreadableKeys()).containsExactly("b");
            assertThat(counting.statements()).as("a row mapper failure needs no extra statement").isEqualTo(2);

            jdbc.update("UPDATE " + table + " SET name = ? WHERE id = ?", "beta", "b");
            assertThat(source.fetch(List.of("a", "b", "c"))).containsOnlyKeys("a", "b", "c");

            assertThat(source.unreadableKeys()).isEmpty();
            assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("key b cannot be read");
            assertThat(log.messages(Level.INFO)).singleElement().asString().contains("key b can be read again");
        }
    }

    @Test
    void throwsWhenTheMapperFailsOnEveryRowBecauseThatIsTheMappersFault() {
        insert("a", "poison-a");
        insert("b", "poison-b");

        assertThatThrownBy(() -> source(dataSource).fetch(List.of("a", "b")))
                .isInstanceOf(DataRetrievalFailureException.class)
                .hasMessageContaining("row mapper failed on every row");
    }

    @Test
    void aRowThatCannotBeMappedLooksAbsentToItsSubscribersWhileTheOthersKeepGettingChanges() {
        insert("a", "alpha");
        insert("b", "beta");
        RecordingSink sinkA = new RecordingSink();
        RecordingSink sinkB = new RecordingSink();
        StatusStream<String, Bot> stream = stream(source(dataSource), builder -> builder);
        stream.subscribe(List.of("a"), null, sinkA);
        stream.subscribe(List.of("b"), null, sinkB);
        scheduler.runDue();

        jdbc.update("UPDATE " + table + " SET name = ?, version = 2 WHERE id = ?", "poisoned", "b");
        jdbc.update("UPDATE " + table + " SET name = ?, version = 2 WHERE id = ?", "alpha 2", "a");
        scheduler.advance(POLL_INTERVAL);
        jdbc.update("UPDATE " + table + " SET name = ?, version = 3 WHERE id = ?", "alpha 3", "a");
        scheduler.advance(POLL_INTERVAL);
        jdbc.update("UPDATE " + table + " SET name = ?, version = 3 WHERE id = ?", "beta again", "b");
        scheduler.advance(POLL_INTERVAL);

        assertThat(stream.stats().sourceHealthy()).isTrue();
        assertThat(sinkA.data()).containsExactly("a|SNAPSHOT|alpha@1", "a|CHANGE|alpha 2@2", "a|CHANGE|alpha 3@3");
        assertThat(sinkB.data()).containsExactly("b|SNAPSHOT|beta@1", "b|REMOVED|-", "b|CHANGE|beta again@3");
    }

    // ------------------------------------------------------------------------------------------------- timeouts

    @Test
    void cancelsAStatementThatRunsPastTheQueryTimeout() {
        insert("a", "alpha");
        JdbcStateSource<String, Bot> source = JdbcStateSource.forQuery(dataSource,
                        "SELECT t.*, " + sleepExpression(30) + " AS slept FROM " + table + " t WHERE t.id IN (:keys)",
                        "id", String.class, BOTS)
                .queryTimeout(Duration.ofSeconds(1))
                .build();

        long start = System.nanoTime();
        assertThatThrownBy(() -> source.fetch(List.of("a"))).isInstanceOf(DataAccessException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(source.unreadableKeys()).isEmpty();
    }

    // -------------------------------------------------------------------------------------- through the engine

    @Test
    void costsOneStatementPerChunkPerPollWhateverTheNumberOfSubscribers() {
        List<String> keys = insertMany(250);
        StatusStream<String, Bot> stream = stream(source(counting), builder -> builder.batchSize(100));
        List<RecordingSink> sinks = new ArrayList<>();
        for (int subscriber = 0; subscriber < 50; subscriber++) {
            RecordingSink sink = new RecordingSink();
            sinks.add(sink);
            stream.subscribe(keys, null, sink);
        }
        scheduler.runDue();
        assertThat(sinks).allSatisfy(sink -> assertThat(sink.data()).hasSize(250));
        counting.reset();

        scheduler.advance(POLL_INTERVAL.multipliedBy(3));

        // 50 subscribers x 250 keys, batch 100: ceil(250 / 100) = 3 statements per poll, not 50 or 12,500
        assertThat(counting.statements()).isEqualTo(3 * 3);
        System.out.printf("[figures] %s: 50 subscribers on 250 keys, batch 100: %d statements in 3 polls%n",
                database.displayName(), counting.statements());
    }

    @Test
    void reportsADeletedRowToItsSubscribersAsARemoval() {
        insert("a", "alpha");
        RecordingSink sink = new RecordingSink();
        StatusStream<String, Bot> stream = stream(source(dataSource), builder -> builder);
        stream.subscribe(List.of("a"), null, sink);
        scheduler.runDue();

        jdbc.update("DELETE FROM " + table + " WHERE id = ?", "a");
        scheduler.advance(POLL_INTERVAL);

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|alpha@1", "a|REMOVED|-");
    }

    @Test
    void sendsAnEventOnlyWhenTheVersionColumnChangesWithAVersionDetector() {
        insert("a", "alpha");
        RecordingSink sink = new RecordingSink();
        StatusStream<String, Bot> stream = stream(source(dataSource),
                builder -> builder.changeDetector(ChangeDetector.byVersion(Bot::version)));
        stream.subscribe(List.of("a"), null, sink);
        scheduler.runDue();

        jdbc.update("UPDATE " + table + " SET name = ? WHERE id = ?", "renamed without a new version", "a");
        scheduler.advance(POLL_INTERVAL);
        jdbc.update("UPDATE " + table + " SET name = ?, version = version + 1 WHERE id = ?", "renamed", "a");
        scheduler.advance(POLL_INTERVAL);

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|alpha@1", "a|CHANGE|renamed@2");
    }

    @Test
    void keepsStreamsOpenWhileTheDatabaseIsUnreachableAndCatchesUpWhenItIsBack() {
        insert("a", "alpha");
        SwitchableDataSource switchable = new SwitchableDataSource(database);
        RecordingSink sink = new RecordingSink();
        StatusStream<String, Bot> stream = stream(source(switchable),
                builder -> builder.maxBackoff(Duration.ofSeconds(8)));
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);
        scheduler.runDue();

        try (LogRecorder log = LogRecorder.of(StatusStream.class)) {
            switchable.goDown();
            scheduler.advance(Duration.ofSeconds(30));
            jdbc.update("UPDATE " + table + " SET name = ?, version = 2 WHERE id = ?", "changed while down", "a");
            scheduler.advance(Duration.ofSeconds(30));

            assertThat(stream.stats().sourceHealthy()).isFalse();
            assertThat(stream.stats().consecutiveFailures()).isGreaterThan(1);
            assertThat(subscription.isOpen()).isTrue();
            assertThat(sink.closedWith()).isNull();
            assertThat(sink.data()).containsExactly("a|SNAPSHOT|alpha@1");
            assertThat(log.messages(Level.WARNING)).as("one line per outage, not per poll").hasSize(1);

            switchable.comeBack();
            scheduler.advance(Duration.ofSeconds(8));

            assertThat(stream.stats().sourceHealthy()).isTrue();
            assertThat(sink.data()).containsExactly("a|SNAPSHOT|alpha@1", "a|CHANGE|changed while down@2");
            assertThat(log.messages(Level.INFO)).anySatisfy(line -> assertThat(line).contains("source recovered"));
        }
    }

    // ------------------------------------------------------------------------------------------------- plumbing

    JdbcStateSource<String, Bot> source(DataSource from) {
        return JdbcStateSource.forTable(from, table, "id", String.class, BOTS).build();
    }

    StatusStream<String, Bot> stream(JdbcStateSource<String, Bot> source,
                                     java.util.function.UnaryOperator<StatusStreamBuilder<String, Bot>> settings) {
        StatusStream<String, Bot> stream = settings.apply(StatusStream.builder(source)
                        .name("jdbc-test")
                        .pollInterval(POLL_INTERVAL)
                        .scheduler(scheduler)
                        .writerExecutor(Runnable::run)
                        .serializer(SERIALIZER))
                .build();
        streams.add(stream);
        return stream;
    }

    void insert(String id, String name) {
        jdbc.update("INSERT INTO " + table + " (id, name, amount, active, updated_at, version) VALUES (?, ?, ?, ?, ?, ?)",
                id, name, new BigDecimal("1.5000"), true, OffsetDateTime.parse("2026-11-24T18:30:15.123456+05:30"),
                1L);
    }

    List<String> insertMany(int count) {
        List<String> keys = IntStream.range(0, count).mapToObj(i -> "bot-" + i).toList();
        jdbc.batchUpdate("INSERT INTO " + table + " (id, name, amount, active, updated_at, version)"
                        + " VALUES (?, ?, ?, ?, ?, ?)",
                keys.stream().map(key -> new Object[]{key, "name of " + key, new BigDecimal("2.2500"), true,
                        OffsetDateTime.parse("2026-11-24T18:30:15.123456+05:30"), 1L}).toList());
        return keys;
    }
}
