package io.statusstream.jdbc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyQueryTest {

    @Test
    void expandsTheKeysPlaceholderIntoBoundParametersPaddedToAPowerOfTwo() {
        KeyQuery query = KeyQuery.parse("SELECT * FROM bots WHERE id IN (:keys) ORDER BY id");

        assertThat(query.inList(1)).isEqualTo("SELECT * FROM bots WHERE id IN (?) ORDER BY id");
        assertThat(query.inList(3)).isEqualTo("SELECT * FROM bots WHERE id IN (?,?,?,?) ORDER BY id");
        assertThat(query.inList(4)).isSameAs(query.inList(3));
        assertThat(query.anyArray()).isEqualTo("SELECT * FROM bots WHERE id = ANY(?) ORDER BY id");
    }

    @Test
    void acceptsThePlaceholderInAnyCaseAndSpacing() {
        assertThat(KeyQuery.parse("select * from bots b where b.id in(  :keys )").anyArray())
                .isEqualTo("select * from bots b where b.id = ANY(?)");
    }

    @Test
    void rejectsAQueryWithoutExactlyOneKeysPlaceholder() {
        assertThatThrownBy(() -> KeyQuery.parse("SELECT * FROM bots WHERE id = ?"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IN (:keys)");
        assertThatThrownBy(() -> KeyQuery.parse("SELECT * FROM bots WHERE id IN (:keys) OR owner IN (:keys)"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly once");
        assertThatThrownBy(() -> KeyQuery.parse("SELECT * FROM bots WHERE id NOT IN (:keys)"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NOT IN");
    }

    @Test
    void acceptsOnlyPlainIdentifiersForTableAndKeyColumn() {
        assertThat(KeyQuery.forTable("trading.bot_states", "bot_id").inList(1))
                .isEqualTo("SELECT * FROM trading.bot_states WHERE bot_id IN (?)");
        assertThatThrownBy(() -> KeyQuery.forTable("bots; DROP TABLE users", "id"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plain SQL identifier");
        assertThatThrownBy(() -> KeyQuery.forTable("bots", "id = id OR 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyColumn");
    }

    @Test
    void neverBindsMoreThanTheInListLimit() {
        assertThat(KeyQuery.paddedSize(500)).isEqualTo(512);
        assertThat(KeyQuery.paddedSize(KeyQuery.MAX_IN_LIST)).isEqualTo(KeyQuery.MAX_IN_LIST);
    }

    @Test
    void recognisesTheDialectFromTheProductName() {
        assertThat(SqlDialect.forProductName("PostgreSQL")).isEqualTo(SqlDialect.POSTGRESQL);
        assertThat(SqlDialect.forProductName("MariaDB")).isEqualTo(SqlDialect.MARIADB);
        assertThat(SqlDialect.forProductName("MySQL")).isEqualTo(SqlDialect.MARIADB);
        assertThat(SqlDialect.forProductName("H2")).isEqualTo(SqlDialect.H2);
        assertThat(SqlDialect.forProductName("Oracle")).isEqualTo(SqlDialect.STANDARD);
    }

    @Test
    void escapesControlCharactersOfKeysInLogLines() {
        assertThat(JdbcStateSource.printable("a\nFAKE LOG LINE\u0000")).isEqualTo("a\\u000aFAKE LOG LINE\\u0000");
        assertThat(JdbcStateSource.printable("x".repeat(500))).hasSize(103).endsWith("...");
    }
}
