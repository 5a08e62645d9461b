package io.statusstream.jdbc;

import io.statusstream.core.StateSource;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataRetrievalFailureException;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import javax.sql.DataSource;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link StateSource} over a table or query: each {@link #fetch} chunk is read with <b>one</b> SQL statement
 * ({@code WHERE id IN (?, ?, ...)}, or {@code WHERE id = ANY(?)} with one array parameter on PostgreSQL), whatever
 * the number of subscribers. Keys are always bound as parameters, never written into the SQL.
 *
 * <pre>{@code
 * JdbcStateSource<Long, BotState> source = JdbcStateSource
 *         .forTable(dataSource, "bot_states", "bot_id", Long.class,
 *                 (rs, row) -> new BotState(rs.getLong("bot_id"), rs.getString("status"), rs.getLong("version")))
 *         .build();
 * StatusStream<Long, BotState> bots = StatusStream.builder(source)
 *         .changeDetector(ChangeDetector.byVersion(BotState::version))  // optional: compare a version column only
 *         .build();
 * }</pre>
 *
 * <p><b>Keys.</b> Each row's key is read from the key column with {@link ResultSet#getObject(String, Class)} as the
 * key type, and must be {@code equals} to the requested key: a key column whose comparison is looser than
 * {@code equals} (a case-insensitive collation, a padded {@code CHAR}) makes such rows look absent. The query should
 * return at most one row per key; if it returns more, the last one wins. A row the mapper maps to {@code null}
 * counts as absent.
 *
 * <p><b>Unreadable keys.</b> A key must not blind the others. When a statement fails with a data error (SQLState
 * class {@code 22}, such as a key the database cannot convert to the column's type), the chunk is split in halves and
 * each half retried, down to single keys; when the row mapper throws for one row, that row alone is skipped. Such a
 * key is treated as <em>absent</em> (its subscribers see a removal, a new subscriber a missing key), reported once
 * with a warning, and reported again once it can be read. It is not an outage: the other keys keep being served.
 * The failure is thrown instead when it cannot be the keys' fault: any error other than a data error (connection,
 * timeout, syntax, permission), a mapper that fails on every row of a statement, a chunk of several keys none of
 * which can be read, or more than a small budget of isolation statements in one call. The engine then treats it as
 * an outage: streams stay open, polling backs off, one log line.
 *
 * <p><b>Timeouts.</b> Every statement gets a query timeout ({@link JdbcStateSourceBuilder#queryTimeout}), so a
 * locked table or stuck database cannot stall the engine's poller. Connection acquisition is bounded by the
 * {@link DataSource} (a pool's connection timeout), not by this class.
 *
 * <p><b>Thread-safety:</b> thread-safe; one instance may serve several engines. {@link #fetch} blocks on the
 * database for at most the query timeout per statement, and throws Spring's {@link DataAccessException}.
 *
 * @param <K> key type
 * @param <S> state type, mapped from a row
 */
public final class JdbcStateSource<K, S> implements StateSource<K, S> {

    private static final System.Logger LOG = System.getLogger(JdbcStateSource.class.getName());
    /** Most extra statements one {@link #fetch} call may spend isolating unreadable keys. */
    static final int ISOLATION_BUDGET = 64;
    /** Most unreadable keys remembered (to report each once); beyond it the memory is reset. */
    static final int MAX_REMEMBERED_UNREADABLE = 1024;

    private final String name;
    private final JdbcTemplate jdbc;
    private final KeyQuery query;
    private final String keyColumn;
    private final Class<K> keyType;
    private final RowMapper<S> mapper;
    private final String arrayType;
    private final int queryTimeoutSeconds;
    private volatile SqlDialect dialect;
    private final Set<K> unreadable = ConcurrentHashMap.newKeySet();

    JdbcStateSource(String name, DataSource dataSource, KeyQuery query, String keyColumn, Class<K> keyType,
                    RowMapper<S> mapper, SqlDialect dialect, Duration queryTimeout) {
        this.name = name;
        this.jdbc = new JdbcTemplate(dataSource);
        this.query = query;
        this.keyColumn = keyColumn;
        this.keyType = keyType;
        this.mapper = mapper;
        this.arrayType = postgresArrayType(keyType);
        this.dialect = dialect;
        this.queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                (queryTimeout.toMillis() + 999) / 1000));
    }

    /**
     * Starts a source over one table: {@code SELECT * FROM table WHERE keyColumn IN (:keys)}.
     *
     * @param dataSource where connections come from; usually the application's pool
     * @param table      a plain identifier, optionally schema-qualified ({@code bot_states}, {@code trading.bots})
     * @param keyColumn  a plain identifier, the column that holds the key
     * @param keyType    the key's Java type; the key column is read as this type
     * @param mapper     maps one row to a state; called on the poller thread, must not keep the {@link ResultSet}
     * @param <K>        key type
     * @param <S>        state type
     * @return a builder of the source; nothing is read from the database yet
     * @throws IllegalArgumentException if a name is not a plain identifier
     * @throws NullPointerException     if an argument is {@code null}
     */
    public static <K, S> JdbcStateSourceBuilder<K, S> forTable(DataSource dataSource, String table, String keyColumn,
                                                               Class<K> keyType, RowMapper<S> mapper) {
        return new JdbcStateSourceBuilder<>(table, dataSource, KeyQuery.forTable(table, keyColumn), keyColumn,
                keyType, mapper);
    }

    /**
     * Starts a source over any query with one key set placeholder written {@code IN (:keys)}, for joins, column lists
     * or extra conditions: {@code SELECT b.*, o.name AS owner FROM bots b JOIN owners o ON o.id = b.owner_id
     * WHERE b.id IN (:keys)}. The placeholder is replaced by bound parameters (or {@code = ANY(?)} on PostgreSQL);
     * the query must have no other parameter.
     *
     * @param dataSource where connections come from; usually the application's pool
     * @param sql        the query, with {@code IN (:keys)} exactly once and no other parameter
     * @param keyColumn  the result column (label) that holds the key
     * @param keyType    the key's Java type; the key column is read as this type
     * @param mapper     maps one row to a state; called on the poller thread, must not keep the {@link ResultSet}
     * @param <K>        key type
     * @param <S>        state type
     * @return a builder of the source; nothing is read from the database yet
     * @throws IllegalArgumentException if the query does not contain {@code IN (:keys)} exactly once
     * @throws NullPointerException     if an argument is {@code null}
     */
    public static <K, S> JdbcStateSourceBuilder<K, S> forQuery(DataSource dataSource, String sql, String keyColumn,
                                                               Class<K> keyType, RowMapper<S> mapper) {
        if (keyColumn == null || keyColumn.isBlank()) {
            throw new IllegalArgumentException("keyColumn must not be blank");
        }
        return new JdbcStateSourceBuilder<>("query", dataSource, KeyQuery.parse(sql), keyColumn, keyType, mapper);
    }

    @Override
    public Map<K, S> fetch(Collection<K> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        List<K> list = keys instanceof List<K> given ? given : new ArrayList<>(keys);
        SqlDialect effective = dialect == null ? dialect() : dialect;
        boolean array = effective == SqlDialect.POSTGRESQL && arrayType != null;
        int perStatement = array ? Integer.MAX_VALUE : KeyQuery.MAX_IN_LIST;
        Fetch run = new Fetch(keys.size());
        for (int from = 0; from < list.size(); from += perStatement) {
            run.chunk(list.subList(from, Math.min(list.size(), from + perStatement)));
        }
        report(list, run.failed);
        return run.states;
    }

    /**
     * The dialect in use: the configured one, else the one detected from a connection, borrowing one if no fetch has
     * done so yet.
     *
     * @return the dialect, never {@code null}
     * @throws DataAccessException if a connection is needed and cannot be had
     */
    public SqlDialect dialect() {
        SqlDialect current = dialect;
        if (current == null) {
            current = jdbc.execute((ConnectionCallback<SqlDialect>) this::detect);
        }
        return current;
    }

    /**
     * Keys currently unreadable (see the class documentation), in no order; a copy.
     *
     * @return an unmodifiable copy, empty while every key can be read
     */
    public Set<K> unreadableKeys() {
        return Set.copyOf(unreadable);
    }

    @Override
    public String toString() {
        return "JdbcStateSource[" + name + ": " + query + ", dialect " + (dialect == null ? "auto" : dialect)
                + ", query timeout " + queryTimeoutSeconds + " s]";
    }

    private SqlDialect detect(Connection connection) throws SQLException {
        SqlDialect detected = dialect;
        if (detected == null) {
            detected = SqlDialect.forProductName(connection.getMetaData().getDatabaseProductName());
            dialect = detected;
        }
        return detected;
    }

    /** Reads one statement's worth of keys into {@code into}; mapper failures land in {@code failed}. */
    private void read(List<K> keys, Map<K, S> into, Map<K, Throwable> failed, Fetch run) {
        jdbc.execute((ConnectionCallback<Void>) connection -> {
            boolean array = detect(connection) == SqlDialect.POSTGRESQL && arrayType != null;
            String sql = array ? query.anyArray() : query.inList(keys.size());
            Array bound = null;
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setQueryTimeout(queryTimeoutSeconds);
                if (array) {
                    bound = connection.createArrayOf(arrayType, keys.toArray());
                    statement.setArray(1, bound);
                } else {
                    int padded = KeyQuery.paddedSize(keys.size());
                    for (int i = 0; i < padded; i++) {
                        statement.setObject(i + 1, keys.get(Math.min(i, keys.size() - 1)));
                    }
                }
                try (ResultSet rows = statement.executeQuery()) {
                    collect(rows, into, failed, run);
                }
            } finally {
                if (bound != null) {
                    bound.free();
                }
            }
            return null;
        });
    }

    private void collect(ResultSet rows, Map<K, S> into, Map<K, Throwable> failed, Fetch run) throws SQLException {
        int rowNum = 0;
        while (rows.next()) {
            K key = readKey(rows);
            if (key == null) {
                continue;
            }
            try {
                S state = mapper.mapRow(rows, rowNum);
                if (state != null) {
                    into.put(key, state);
                }
                run.mappedRows++;
            } catch (SQLException | RuntimeException failure) {
                failed.put(key, failure);
                run.failedRows++;
                if (run.firstRowFailure == null) {
                    run.firstRowFailure = failure;
                }
            }
            rowNum++;
        }
    }

    private K readKey(ResultSet rows) {
        try {
            return rows.getObject(keyColumn, keyType);
        } catch (SQLException failure) {
            throw new InvalidDataAccessApiUsageException(this + ": cannot read key column '" + keyColumn + "' as "
                    + keyType.getName() + ": check the key column name and key type", failure);
        }
    }

    private void report(List<K> keys, Map<K, Throwable> failed) {
        if (!failed.isEmpty()) {
            if (unreadable.size() + failed.size() > MAX_REMEMBERED_UNREADABLE) {
                unreadable.clear();
            }
            failed.forEach((key, failure) -> {
                if (unreadable.add(key)) {
                    LOG.log(Level.WARNING, this + ": key " + printable(key) + " cannot be read and is treated as absent until it"
                            + " can; the other keys are served. Cause: " + failure, failure);
                }
            });
        }
        if (!unreadable.isEmpty()) {
            for (K key : keys) {
                if (!failed.containsKey(key) && unreadable.remove(key)) {
                    LOG.log(Level.INFO, () -> this + ": key " + printable(key) + " can be read again");
                }
            }
        }
    }

    /**
     * A key as it may appear in a log line: keys often come from clients, so control characters (a forged line
     * break, a NUL) are escaped and length is bounded.
     */
    static String printable(Object key) {
        String text = String.valueOf(key);
        StringBuilder shown = new StringBuilder(Math.min(text.length(), 100) + 8);
        for (int i = 0; i < text.length() && shown.length() < 100; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                shown.append(String.format("\\u%04x", (int) c));
            } else {
                shown.append(c);
            }
        }
        return shown.length() < text.length() ? shown + "..." : shown.toString();
    }

    /** Whether a failure can be blamed on the keys bound (or the rows they select) rather than on the query. */
    static boolean isDataError(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLDataException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState().startsWith("22");
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    private static String postgresArrayType(Class<?> keyType) {
        if (keyType == Long.class) {
            return "int8";
        }
        if (keyType == Integer.class) {
            return "int4";
        }
        if (keyType == Short.class) {
            return "int2";
        }
        if (keyType == String.class) {
            return "text";
        }
        if (keyType == UUID.class) {
            return "uuid";
        }
        if (keyType == BigDecimal.class) {
            return "numeric";
        }
        return null;
    }

    /** The work of one {@link #fetch} call. Confined to the calling thread. */
    private final class Fetch {

        final Map<K, S> states;
        final Map<K, Throwable> failed = new HashMap<>();
        int budget = ISOLATION_BUDGET;
        int mappedRows;
        int failedRows;
        Throwable firstRowFailure;

        Fetch(int keys) {
            states = new HashMap<>(Math.max(4, keys * 4 / 3 + 1));
        }

        /**
         * Reads one chunk, isolating unreadable keys, unless nothing in it can be read: then the failure is the
         * query's or the mapper's, not the keys', and is thrown.
         */
        void chunk(List<K> keys) {
            int failedBefore = failed.size();
            mappedRows = 0;
            failedRows = 0;
            firstRowFailure = null;
            DataAccessException dataError = isolating(keys, null);
            if (keys.size() > 1 && failed.size() - failedBefore == keys.size() && dataError != null) {
                throw dataError;
            }
            if (mappedRows == 0 && failedRows > 1) {
                throw new DataRetrievalFailureException(JdbcStateSource.this + ": the row mapper failed on every"
                        + " row (" + failedRows + "), so the mapper, not the data, is at fault", firstRowFailure);
            }
        }

        /**
         * Reads the keys; on a data error splits them in halves, down to single keys.
         *
         * @return the first data error met, or {@code null}
         */
        private DataAccessException isolating(List<K> keys, DataAccessException firstDataError) {
            Map<K, S> read = new HashMap<>();
            Map<K, Throwable> rowFailures = new HashMap<>();
            try {
                read(keys, read, rowFailures, this);
            } catch (DataAccessException failure) {
                if (!isDataError(failure)) {
                    throw failure;
                }
                DataAccessException first = firstDataError == null ? failure : firstDataError;
                if (keys.size() == 1) {
                    failed.put(keys.get(0), failure);
                    return first;
                }
                budget -= 2;
                if (budget < 0) {
                    throw first;
                }
                int half = keys.size() >>> 1;
                first = isolating(keys.subList(0, half), first);
                return isolating(keys.subList(half, keys.size()), first);
            }
            states.putAll(read);
            failed.putAll(rowFailures);
            return firstDataError;
        }
    }
}
