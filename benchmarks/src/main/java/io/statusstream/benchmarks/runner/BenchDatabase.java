package io.statusstream.benchmarks.runner;

import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The PostgreSQL side of the benchmark (127.0.0.1:5432, user {@code postgres}): a database of its own,
 * {@value #DATABASE}, with one table, {@value #TABLE}, recreated for every run, and the sequence
 * {@value #READ_COUNTER} that every read of the servers advances once (see
 * {@link io.statusstream.benchmarks.server.BotState#COUNTED}). Everything is dropped with the database at the end.
 * Not thread-safe.
 */
final class BenchDatabase implements AutoCloseable {

    static final String DATABASE = "status_stream_bench";
    static final String TABLE = "bench_bot_states";
    static final String READ_COUNTER = "bench_state_reads";
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
            statement.execute("DROP SEQUENCE IF EXISTS " + READ_COUNTER);
            statement.execute("CREATE SEQUENCE " + READ_COUNTER);
            if (push) {
                PostgresNotifyChangeNotifier.installTrigger(new SingleConnectionDataSource(connection, true),
                        TABLE, "id", TABLE + "_changed");
            }
        }
    }

    /** Reads of the state table by either server so far, as PostgreSQL counted them. */
    long stateReads() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM "
                     + READ_COUNTER)) {
            row.next();
            return row.getLong(1);
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
