package io.statusstream.jdbc;

import io.statusstream.jdbc.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checks that keep names out of harm's way; no database needed. */
class PostgresNotifyChangeNotifierValidationTest {

    @Test
    void acceptsOnlyLowerCaseIdentifiersAsChannel() {
        for (String bad : new String[]{"Bots", "bots; DROP TABLE x", "1bots", "", "bots-changed", "a".repeat(64),
                "bots\"", null}) {
            assertThatThrownBy(() -> PostgresNotifyChangeNotifier.builder("jdbc:postgresql://h/db", new Properties(),
                    bad, Long::valueOf)).as(String.valueOf(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(PostgresNotifyChangeNotifier.builder("jdbc:postgresql://h/db", null, "bot_states_2",
                Long::valueOf).build()).hasToString(
                "PostgresNotifyChangeNotifier[channel bot_states_2, jdbc:postgresql://h/db]");
    }

    @Test
    void neverShowsTheUrlsQueryStringWhichMayHoldAPassword() {
        assertThat(PostgresNotifyChangeNotifier.builder("jdbc:postgresql://h/db?password=secret", null, "c",
                Long::valueOf).build().toString()).doesNotContain("secret");
    }

    @Test
    void rejectsAnUrlOfAnotherDatabase() {
        assertThatThrownBy(() -> PostgresNotifyChangeNotifier.builder("jdbc:mariadb://h/db", null, "c", Long::valueOf))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql:");
    }

    @Test
    void writesTriggerDdlWithTheChannelAndKeyColumnAsArguments() {
        assertThat(PostgresNotifyChangeNotifier.triggerDdl("trading.bot_states", "Bot_Id", "bot_states_changed"))
                .hasSize(5)
                .anySatisfy(sql -> assertThat(sql).isEqualTo("CREATE TRIGGER status_stream_bot_states_changed"
                        + " AFTER INSERT OR UPDATE OR DELETE ON trading.bot_states FOR EACH ROW EXECUTE FUNCTION"
                        + " status_stream_notify('bot_states_changed', 'bot_id')"));
    }

    @Test
    void rejectsTriggerNamesThatAreNotPlainIdentifiers() {
        assertThatThrownBy(() -> PostgresNotifyChangeNotifier.triggerDdl("bots; DROP TABLE x", "id", "c"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresNotifyChangeNotifier.triggerDdl("bots", "id')--", "c"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresNotifyChangeNotifier.triggerDdl("bots", "id", "c".repeat(41)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 40");
    }

    @Test
    void refusesToInstallTheTriggerOnADatabaseThatIsNotPostgres() {
        assertThatThrownBy(() -> PostgresNotifyChangeNotifier.installTrigger(TestDatabase.H2.dataSource(), "bots", "id",
                "bots_changed")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs PostgreSQL").hasMessageContaining("H2");
    }

    @Test
    void checksEachSettingOnce() {
        var builder = PostgresNotifyChangeNotifier.<Long>builder("jdbc:postgresql://h/db", null, "c", Long::valueOf)
                .healthCheckInterval(java.time.Duration.ofSeconds(5));
        assertThatThrownBy(() -> builder.healthCheckInterval(java.time.Duration.ofSeconds(6)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.reconnectBackoff(java.time.Duration.ofSeconds(2),
                java.time.Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
