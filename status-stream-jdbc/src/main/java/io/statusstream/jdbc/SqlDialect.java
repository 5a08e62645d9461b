package io.statusstream.jdbc;

import java.util.Locale;

/**
 * How a {@link JdbcStateSource} binds a set of keys. Detected from the connection's
 * {@link java.sql.DatabaseMetaData#getDatabaseProductName() product name} on the first fetch, or set with
 * {@link JdbcStateSourceBuilder#dialect(SqlDialect)}.
 *
 * <p>Whatever the dialect, keys are always bound as parameters, never written into the SQL text. Immutable.
 */
public enum SqlDialect {

    /** H2: {@code IN (?, ?, ...)}. */
    H2,
    /**
     * PostgreSQL: {@code = ANY(?)} with one SQL array parameter, so every batch size shares one statement text (and
     * one server-side prepared plan). Falls back to {@code IN (...)} for key types without a known array type.
     */
    POSTGRESQL,
    /** MariaDB, and MySQL: {@code IN (?, ?, ...)}. */
    MARIADB,
    /** Any other database: standard {@code IN (?, ?, ...)}. */
    STANDARD;

    /** The dialect for a product name as reported by the driver; {@link #STANDARD} for unknown ones. */
    static SqlDialect forProductName(String productName) {
        String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (name.startsWith("h2")) {
            return H2;
        }
        if (name.startsWith("postgresql")) {
            return POSTGRESQL;
        }
        if (name.startsWith("mariadb") || name.startsWith("mysql")) {
            return MARIADB;
        }
        return STANDARD;
    }
}
