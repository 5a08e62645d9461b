package io.statusstream.jdbc;

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
    void isolatesAKeyPostgresRejectsAndServesTheRest() {
        List<String> keys = insertMany(16);
        String rejected = "nul\u0000byte";
        List<String> asked = new java.util.ArrayList<>(keys);
        asked.add(5, rejected);

        var fetched = source(counting).fetch(asked);

        assertThat(fetched).containsOnlyKeys(keys.toArray(String[]::new));
    }
}
