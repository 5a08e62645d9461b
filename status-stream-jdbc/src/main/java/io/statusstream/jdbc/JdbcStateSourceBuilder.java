package io.statusstream.jdbc;

import org.springframework.jdbc.core.RowMapper;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Objects;

/**
 * Configures a {@link JdbcStateSource}; obtain one from {@link JdbcStateSource#forTable} or
 * {@link JdbcStateSource#forQuery}. Each setting may be set once and is checked when set; {@link #build()} does not
 * change the builder. Not thread-safe: configure on one thread.
 *
 * @param <K> key type
 * @param <S> state type
 */
public final class JdbcStateSourceBuilder<K, S> {

    /**
     * Longest a statement may run before the driver cancels it: long enough for a batch of a few hundred keys on a
     * loaded database, short enough that a locked table does not hold the poller for long.
     */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final KeyQuery query;
    private final String keyColumn;
    private final Class<K> keyType;
    private final RowMapper<S> mapper;
    private final String defaultName;
    private String name;
    private SqlDialect dialect;
    private Duration queryTimeout;

    JdbcStateSourceBuilder(String name, DataSource dataSource, KeyQuery query, String keyColumn, Class<K> keyType,
                           RowMapper<S> mapper) {
        this.defaultName = name;
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.query = query;
        this.keyColumn = Objects.requireNonNull(keyColumn, "keyColumn");
        this.keyType = Objects.requireNonNull(keyType, "keyType");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * The name used in log lines; default the table's name, or {@code "query"}.
     *
     * @param name the name, not {@code null} or blank
     * @return this builder
     */
    public JdbcStateSourceBuilder<K, S> name(String name) {
        if (this.name != null) {
            throw new IllegalStateException("name was already set to " + this.name);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        this.name = name;
        return this;
    }

    /**
     * How keys are bound, instead of detecting it from the connection's metadata on the first fetch. Useful behind
     * a proxy driver that reports another product name.
     *
     * @param dialect the database's dialect, never {@code null}
     * @return this builder
     */
    public JdbcStateSourceBuilder<K, S> dialect(SqlDialect dialect) {
        if (this.dialect != null) {
            throw new IllegalStateException("dialect was already set to " + this.dialect);
        }
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        return this;
    }

    /**
     * Longest a statement may run ({@link java.sql.Statement#setQueryTimeout}, whole seconds, rounded up); see
     * {@link #DEFAULT_QUERY_TIMEOUT}. A timed-out fetch throws, and the engine backs off as for any failure.
     *
     * @param timeout the longest time per statement, positive
     * @return this builder
     */
    public JdbcStateSourceBuilder<K, S> queryTimeout(Duration timeout) {
        if (queryTimeout != null) {
            throw new IllegalStateException("queryTimeout was already set to " + queryTimeout);
        }
        Objects.requireNonNull(timeout, "queryTimeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("queryTimeout must be positive, was " + timeout);
        }
        queryTimeout = timeout;
        return this;
    }

    /**
     * Builds the source. Opens no connection: the dialect, unless set, is detected on the first fetch.
     *
     * @return a new source, thread-safe
     */
    public JdbcStateSource<K, S> build() {
        return new JdbcStateSource<>(name == null ? defaultName : name, dataSource, query, keyColumn, keyType, mapper, dialect,
                queryTimeout == null ? DEFAULT_QUERY_TIMEOUT : queryTimeout);
    }
}
