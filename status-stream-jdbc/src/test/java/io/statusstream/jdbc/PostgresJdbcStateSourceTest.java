package io.statusstream.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.statusstream.core.StatusStream;
import io.statusstream.core.Subscription;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@RequiresDatabase(TestDatabase.POSTGRES)
class PostgresJdbcStateSourceTest extends JdbcStateSourceContractTest {

    @Override
    SqlDialect expectedDialect() {
        return SqlDialect.POSTGRESQL;
    }

    @Override
    String timestampWithZoneType() {
        return "TIMESTAMPTZ(6)";
    }

    @Override
    String sleepExpression(int seconds) {
        return "pg_sleep(" + seconds + ")";
    }

    @Test
    void bindsTheKeysAsOneArray() {
        insert("a", "alpha");

        source(counting).fetch(List.of("a", "b", "c"));

        assertThat(counting.sql()).singleElement().asString().contains("= ANY(?)").doesNotContain("IN (");
    }

    @Test
    void usesTheDialectItIsGivenInsteadOfDetectingOne() {
        insert("a", "alpha");
        JdbcStateSource<String, Bot> source = JdbcStateSource.forTable(counting, table, "id", String.class, BOTS)
                .dialect(SqlDialect.STANDARD)
                .build();

        assertThat(source.fetch(List.of("a", "b", "c"))).containsOnlyKeys("a");
        assertThat(source.dialect()).isEqualTo(SqlDialect.STANDARD);
        assertThat(counting.sql()).singleElement().asString().contains("IN (?,?,?,?)");
    }

    @Test
    void isolatesAKeyPostgresRejectsAndServesTheRest() {
        List<String> keys = insertMany(16);
        String rejected = "nul\u0000byte";
        List<String> asked = new java.util.ArrayList<>(keys);
        asked.add(5, rejected);

        var fetched = source(counting).fetch(asked);

        assertThat(fetched).containsOnlyKeys(keys.toArray(String[]::new));
    }

    @Test
    void keepsServingWhenEveryPooledConnectionIsTerminatedMidStream() {
        insert("a", "alpha");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.url());
        config.setUsername(database.user());
        config.setPassword(database.password());
        config.setMaximumPoolSize(2);
        config.addDataSourceProperty("ApplicationName", "ss-pool-" + table);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            RecordingSink sink = new RecordingSink();
            StatusStream<String, Bot> stream = stream(source(pool), builder -> builder);
            Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);
            scheduler.runDue();

            Integer terminated = jdbc.queryForObject("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE application_name = ?", Integer.class, "ss-pool-" + table);
            jdbc.update("UPDATE " + table + " SET name = ?, version = 2 WHERE id = ?", "changed", "a");
            scheduler.advance(POLL_INTERVAL.multipliedBy(3));

            assertThat(terminated).isPositive();
            assertThat(subscription.isOpen()).isTrue();
            assertThat(sink.data()).containsExactly("a|SNAPSHOT|alpha@1", "a|CHANGE|changed@2");
            assertThat(stream.stats().sourceHealthy()).isTrue();
        }
    }
}
