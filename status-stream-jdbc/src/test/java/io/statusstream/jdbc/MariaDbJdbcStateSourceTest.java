package io.statusstream.jdbc;

import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;

@RequiresDatabase(TestDatabase.MARIADB)
class MariaDbJdbcStateSourceTest extends JdbcStateSourceContractTest {

    @Override
    SqlDialect expectedDialect() {
        return SqlDialect.MARIADB;
    }

    /** MariaDB's default collation ignores case; keys must compare as {@code equals} does. */
    @Override
    String keyColumnType() {
        return "VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
    }

    @Override
    String timestampWithZoneType() {
        return "TIMESTAMP(6) NULL";
    }

    @Override
    String sleepExpression(int seconds) {
        return "SLEEP(" + seconds + ")";
    }
}
