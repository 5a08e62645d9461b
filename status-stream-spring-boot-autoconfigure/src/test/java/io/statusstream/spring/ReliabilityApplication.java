package io.statusstream.spring;

import com.zaxxer.hikari.HikariDataSource;
import io.statusstream.core.ChangeNotifier;
import io.statusstream.jdbc.JdbcStateSource;
import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import io.statusstream.jdbc.testing.TcpProxy;
import io.statusstream.jdbc.testing.TestDatabase;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import javax.sql.DataSource;

/**
 * The host application of the reliability scenarios: real engines (own poller and writer threads, real time) over a
 * PostgreSQL table, reached through a {@link TcpProxy} the test can cut. Two streams over the same rows: {@code rows}
 * (public) and {@code secured} (any authenticated principal, from the {@code X-User} header).
 *
 * <p>Nothing connects to the database while the context starts, so that a test class annotated with
 * {@code @RequiresDatabase} is skipped, not failed, when PostgreSQL is absent. Each test class names its own table
 * ({@code reliability.table}) and creates it as a {@link Table}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ReliabilityApplication {

    /** A row: its version is what clients must converge to; the payload only makes events big when a test wants. */
    record Row(long version, String payload) {
    }

    @Bean(destroyMethod = "close")
    TcpProxy databaseProxy() throws IOException {
        return TcpProxy.to(TestDatabase.POSTGRES);
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(TcpProxy proxy) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(proxy.url(TestDatabase.POSTGRES));
        pool.setUsername(TestDatabase.POSTGRES.user());
        pool.setPassword(TestDatabase.POSTGRES.password());
        pool.setMaximumPoolSize(4);
        pool.setConnectionTimeout(1_000);
        pool.setValidationTimeout(500);
        pool.addDataSourceProperty("ApplicationName", "status-stream-reliability");
        pool.addDataSourceProperty("connectTimeout", "2");
        pool.addDataSourceProperty("socketTimeout", "5");
        return pool;
    }

    @Bean
    StreamDefinition<Long, Row> rowStream(DataSource dataSource, @Value("${reliability.table}") String table,
                                          @Value("${reliability.notify:false}") boolean notify) {
        StreamDefinition.Builder<Long, Row> builder = StreamDefinition.builder("rows", source(dataSource, table))
                .path("/rows")
                .keyParser(Long::valueOf)
                .publicAccess();
        if (notify) {
            builder.changeNotifier(notifier(table));
        }
        return builder.build();
    }

    @Bean
    StreamDefinition<Long, Row> securedStream(DataSource dataSource, @Value("${reliability.table}") String table) {
        return StreamDefinition.builder("secured", source(dataSource, table))
                .path("/secured")
                .keyParser(Long::valueOf)
                .accessPolicy((principal, keys) -> AccessDecision.ALLOW)
                .build();
    }

    @Bean
    Filter principalFromHeader() {
        return TestApplication.principalFromHeaderFilter();
    }

    private static JdbcStateSource<Long, Row> source(DataSource dataSource, String table) {
        return JdbcStateSource.forTable(dataSource, table, "id", Long.class,
                        (row, number) -> new Row(row.getLong("version"), row.getString("payload")))
                .queryTimeout(Duration.ofSeconds(2))
                .build();
    }

    /**
     * The listener of channel {@link #channel}; it connects directly (not through the proxy), so that a test kills its
     * backend on its own. The test installs the trigger after creating its table.
     */
    private static ChangeNotifier<Long> notifier(String table) {
        Properties credentials = new Properties();
        credentials.setProperty("user", TestDatabase.POSTGRES.user());
        credentials.setProperty("password", TestDatabase.POSTGRES.password());
        return PostgresNotifyChangeNotifier.<Long>builder(TestDatabase.POSTGRES.url(), credentials, channel(table),
                        Long::valueOf)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
                .build();
    }

    /** The NOTIFY channel of a table's trigger. */
    static String channel(String table) {
        return table + "_changed";
    }

    /**
     * A test's table, written directly on the server (never through the proxy), so rows keep changing while the
     * application cannot reach the database. Not thread-safe: used by the test thread.
     */
    static final class Table implements AutoCloseable {

        private final String name;
        private final int rows;
        private final Connection connection;
        private final Random random = new Random(42);
        private long writes;

        /** (Re)creates the table with rows {@code 1..rows} at version 0. */
        Table(String name, int rows) throws SQLException {
            this.name = name;
            this.rows = rows;
            this.connection = TestDatabase.POSTGRES.connect();
            try (Statement sql = connection.createStatement()) {
                sql.execute("DROP TABLE IF EXISTS " + name + " CASCADE");
                sql.execute("CREATE TABLE " + name + " (id BIGINT PRIMARY KEY, version BIGINT NOT NULL,"
                        + " payload TEXT NOT NULL DEFAULT '')");
                sql.execute("INSERT INTO " + name + " (id, version) SELECT g, 0 FROM generate_series(1, " + rows
                        + ") g");
            }
        }

        /** Bumps the version of {@code count} random rows, one statement each. */
        void change(int count) {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE " + name + " SET version = version + 1 WHERE id = ?")) {
                for (int i = 0; i < count; i++) {
                    update.setLong(1, 1 + random.nextInt(rows));
                    update.executeUpdate();
                    writes++;
                }
            } catch (SQLException failure) {
                throw new IllegalStateException(failure);
            }
        }

        /** Sets one row's version and payload. */
        void set(long id, long version, String payload) throws SQLException {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE " + name + " SET version = ?, payload = ? WHERE id = ?")) {
                update.setLong(1, version);
                update.setString(2, payload);
                update.setLong(3, id);
                update.executeUpdate();
                writes++;
            }
        }

        /** Updates executed so far. */
        long writes() {
            return writes;
        }

        /** The current version of every row: what every client must converge to. */
        Map<Long, Long> versions() throws SQLException {
            Map<Long, Long> versions = new HashMap<>();
            try (Statement sql = connection.createStatement();
                 ResultSet row = sql.executeQuery("SELECT id, version FROM " + name)) {
                while (row.next()) {
                    versions.put(row.getLong(1), row.getLong(2));
                }
            }
            return versions;
        }

        /** Terminates the server processes of the connections whose application name starts so; returns how many. */
        int terminateBackends(String applicationNamePrefix) throws SQLException {
            try (PreparedStatement kill = connection.prepareStatement("SELECT count(pg_terminate_backend(pid))"
                    + " FROM pg_stat_activity WHERE application_name LIKE ? AND pid <> pg_backend_pid()")) {
                kill.setString(1, applicationNamePrefix + "%");
                try (ResultSet killed = kill.executeQuery()) {
                    killed.next();
                    return killed.getInt(1);
                }
            }
        }

        /** Connections to the server whose application name starts so. */
        int connections(String applicationNamePrefix) throws SQLException {
            try (PreparedStatement count = connection.prepareStatement(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE ?")) {
                count.setString(1, applicationNamePrefix + "%");
                try (ResultSet counted = count.executeQuery()) {
                    counted.next();
                    return counted.getInt(1);
                }
            }
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }
}
