package io.statusstream.benchmarks.runner;

import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The PostgreSQL side of the benchmark (127.0.0.1:5432, user {@code postgres}): a database of its own,
 * {@value #DATABASE}, so that {@code pg_stat_database} counts only the benchmark's statements, with one table,
 * {@value #TABLE}, recreated for every run and dropped with the database at the end.
 *
 * <p>Statements are counted as committed transactions of that database: every statement of the servers and the
 * writer runs in autocommit, so one statement is one transaction. Table scan counters would not do: PostgreSQL 15
 * counts an {@code = ANY(?)} index scan once per array element. Not thread-safe.
 */
final class BenchDatabase implements AutoCloseable {

    static final String DATABASE = "status_stream_bench";
    static final String TABLE = "bench_bot_states";
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/" + DATABASE;
    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    private final Connection admin;

    private BenchDatabase(Connection admin) {
        this.admin = admin;
    }

    /** Creates the benchmark database (dropping a leftover one). */
    static BenchDatabase create() throws SQLException {
        Connection admin = DriverManager.getConnection(ADMIN_URL, credentials());
        try (Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + DATABASE);
        }
        return new BenchDatabase(admin);
    }

    static Properties credentials() {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("ApplicationName", "status-stream-benchmark");
        return properties;
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, credentials());
    }

    /** Recreates the table with {@code keys} rows (ids 1..keys), with the NOTIFY trigger if {@code push}. */
    void resetTable(int keys, boolean push) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + TABLE);
            statement.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, status text NOT NULL,"
                    + " in_position boolean NOT NULL, entry_price numeric(18,2), daily_pnl numeric(18,2) NOT NULL,"
                    + " trades_today int NOT NULL, version bigint NOT NULL, written_at_micros bigint NOT NULL)");
            statement.execute("INSERT INTO " + TABLE + " SELECT g, 'RUNNING', false, NULL, 0, 0, 0, 0"
                    + " FROM generate_series(1, " + keys + ") g");
            statement.execute("ANALYZE " + TABLE);
            if (push) {
                PostgresNotifyChangeNotifier.installTrigger(new SingleConnectionDataSource(connection, true),
                        TABLE, "id", TABLE + "_changed");
            }
        }
    }

    /** Committed plus rolled-back transactions of the benchmark database, as PostgreSQL's statistics say now. */
    long transactions() throws SQLException {
        try (PreparedStatement query = admin.prepareStatement(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = ?")) {
            query.setString(1, DATABASE);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        } finally {
            admin.close();
        }
    }
}
