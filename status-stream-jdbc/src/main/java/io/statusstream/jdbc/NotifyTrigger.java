package io.statusstream.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The trigger that makes a table {@code NOTIFY} a channel with the key of every written row, and its installation.
 * Behind {@link PostgresNotifyChangeNotifier#triggerDdl} and {@link PostgresNotifyChangeNotifier#installTrigger}.
 * Stateless.
 */
final class NotifyTrigger {

    static final String FUNCTION = "status_stream_notify";
    static final int MAX_CHANNEL_LENGTH = 40;
    /** How long the installation waits for the table's lock: a long transaction on it must not hang startup. */
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(10);

    private NotifyTrigger() {
    }

    static List<String> ddl(String table, String keyColumn, String channel) {
        KeyQuery.requireIdentifier(table, "table");
        if (KeyQuery.requireIdentifier(keyColumn, "keyColumn").contains(".")) {
            throw new IllegalArgumentException("keyColumn must be a column name, was: " + keyColumn);
        }
        PostgresNotifyChangeNotifier.requireChannel(channel);
        if (channel.length() > MAX_CHANNEL_LENGTH) {
            throw new IllegalArgumentException("channel must be at most " + MAX_CHANNEL_LENGTH
                    + " characters to name its triggers, was: " + channel);
        }
        // Unquoted identifiers fold to lower case, and to_jsonb keys are the folded column names.
        String column = keyColumn.toLowerCase(Locale.ROOT);
        String trigger = "status_stream_" + channel;
        String arguments = "('" + channel + "', '" + column + "')";
        return List.of(
                "CREATE OR REPLACE FUNCTION " + FUNCTION + "() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                        + "BEGIN\n"
                        + "  IF TG_OP = 'TRUNCATE' THEN\n"
                        + "    PERFORM pg_notify(TG_ARGV[0], '');\n"
                        + "    RETURN NULL;\n"
                        + "  END IF;\n"
                        + "  IF TG_OP <> 'INSERT' THEN\n"
                        + "    PERFORM pg_notify(TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[1]);\n"
                        + "  END IF;\n"
                        + "  IF TG_OP <> 'DELETE' THEN\n"
                        + "    PERFORM pg_notify(TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1]);\n"
                        + "  END IF;\n"
                        + "  RETURN NULL;\n"
                        + "END\n"
                        + "$$",
                "DROP TRIGGER IF EXISTS " + trigger + " ON " + table,
                "CREATE TRIGGER " + trigger + " AFTER INSERT OR UPDATE OR DELETE ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION " + FUNCTION + arguments,
                "DROP TRIGGER IF EXISTS " + trigger + "_truncate ON " + table,
                "CREATE TRIGGER " + trigger + "_truncate AFTER TRUNCATE ON " + table
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + FUNCTION + arguments);
    }

    static void install(DataSource dataSource, String table, String keyColumn, String channel) throws SQLException {
        List<String> ddl = ddl(table, keyColumn, channel);
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName();
            if (!"PostgreSQL".equalsIgnoreCase(product)) {
                throw new IllegalArgumentException("the NOTIFY trigger of " + table + " needs PostgreSQL, but "
                        + dataSource + " connects to " + product);
            }
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT.toMillis() + "ms'");
                statement.execute("SELECT pg_advisory_xact_lock(hashtext('" + FUNCTION + "'))");
                for (String sql : ddl) {
                    statement.execute(sql);
                }
                // Delivered on commit: listeners poll every key once, so writes made before the trigger existed
                // (while the streams were already listening) are not left to the next poll.
                statement.execute("SELECT pg_notify('" + channel + "', '')");
                connection.commit();
            } catch (SQLException | RuntimeException failure) {
                connection.rollback();
                throw failure;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }
}
