package io.statusstream.jdbc;

import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@RequiresDatabase(TestDatabase.H2)
class H2JdbcStateSourceTest extends JdbcStateSourceContractTest {

    @Override
    SqlDialect expectedDialect() {
        return SqlDialect.H2;
    }

    @Override
    String timestampWithZoneType() {
        return "TIMESTAMP(6) WITH TIME ZONE";
    }

    @Override
    String sleepExpression(int seconds) {
        // H2 checks for cancellation between rows, not inside a function: count through many rows instead
        return "(SELECT SUM(X * 0) FROM SYSTEM_RANGE(1, " + seconds * 50_000_000L + "))";
    }

    @Test
    void isolatesAKeyTheDatabaseCannotConvertAndServesTheRest() {
        String numbers = table + "_n";
        jdbc.execute("CREATE TABLE " + numbers + " (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)");
        try {
            for (int id = 1; id <= 8; id++) {
                jdbc.update("INSERT INTO " + numbers + " (id, name) VALUES (?, ?)", id, "bot " + id);
            }
            JdbcStateSource<String, String> source = JdbcStateSource
                    .forTable(counting, numbers, "id", String.class, (rs, row) -> rs.getString("name"))
                    .build();

            var fetched = source.fetch(List.of("1", "2", "3", "not a number", "5", "6", "7", "8"));

            assertThat(fetched).containsOnlyKeys("1", "2", "3", "5", "6", "7", "8");
            assertThat(source.unreadableKeys()).containsExactly("not a number");
            // the failed statement, then halves and quarters down to the bad key: 1 + 2 + 2 + 2
            assertThat(counting.statements()).isEqualTo(7);
        } finally {
            jdbc.execute("DROP TABLE " + numbers);
        }
    }

    @Test
    void throwsInsteadOfReportingEveryKeyAbsentWhenNoKeyOfAChunkCanBeRead() {
        String numbers = table + "_n";
        jdbc.execute("CREATE TABLE " + numbers + " (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)");
        try {
            JdbcStateSource<String, String> source = JdbcStateSource
                    .forTable(dataSource, numbers, "id", String.class, (rs, row) -> rs.getString("name"))
                    .build();

            assertThatThrownBy(() -> source.fetch(List.of("x", "y", "z")))
                    .isInstanceOf(DataAccessException.class);
            assertThat(source.unreadableKeys()).isEmpty();
        } finally {
            jdbc.execute("DROP TABLE " + numbers);
        }
    }

    @Test
    void givesUpIsolatingAfterABudgetOfStatementsAndThrows() {
        String numbers = table + "_n";
        jdbc.execute("CREATE TABLE " + numbers + " (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL)");
        try {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                keys.add(i % 3 == 0 ? "bad " + i : String.valueOf(i));
            }
            JdbcStateSource<String, String> source = JdbcStateSource
                    .forTable(counting, numbers, "id", String.class, (rs, row) -> rs.getString("name"))
                    .build();

            assertThatThrownBy(() -> source.fetch(keys)).isInstanceOf(DataAccessException.class);
            assertThat(counting.statements()).isLessThanOrEqualTo(1 + JdbcStateSource.ISOLATION_BUDGET);
        } finally {
            jdbc.execute("DROP TABLE " + numbers);
        }
    }
}
