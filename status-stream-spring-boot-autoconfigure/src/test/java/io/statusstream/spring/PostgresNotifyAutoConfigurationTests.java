package io.statusstream.spring;

import com.zaxxer.hikari.HikariDataSource;
import io.statusstream.core.ChangeNotifier;
import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.AbstractDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.sql.Connection;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** When {@link PostgresNotifications} is there, what it reads from the DataSource, and the startup mistakes it names. */
class PostgresNotifyAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PostgresNotifyAutoConfiguration.class));

    @Test
    void aStreamDeclaringNotifyOverADataSourceThatIsNotPostgresFailsStartupSayingSo() {
        runner.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:h2:mem:orders", "sa", ""))
                .withUserConfiguration(OneLineNotify.class)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("needs PostgreSQL")
                        .hasMessageContaining("connects to jdbc:h2:mem:orders"));
    }

    @Test
    void aHikariPoolOfAnotherDatabaseFailsStartupAsWellWithoutConnecting() {
        runner.withBean(DataSource.class, () -> hikari("jdbc:h2:mem:orders;MODE=PostgreSQL"))
                .withUserConfiguration(OneLineNotify.class)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("needs PostgreSQL").hasMessageContaining("HikariDataSource"));
    }

    @Test
    void optingInToTheTriggerOverADataSourceThatIsNotPostgresFailsStartupToo() {
        runner.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:h2:mem:orders", "sa", ""))
                .withUserConfiguration(TriggerOnly.class)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("needs PostgreSQL"));
    }

    @Test
    void aDataSourceWhoseConnectionSettingsCannotBeReadFailsStartupNamingTheAlternative() {
        runner.withBean(DataSource.class, OpaqueDataSource::new)
                .withUserConfiguration(OneLineNotify.class)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining(OpaqueDataSource.class.getName())
                        .hasMessageContaining("PostgresNotifyChangeNotifier.builder(jdbcUrl, properties, channel,"));
    }

    @Test
    void listensWithTheSettingsOfAHikariPoolAndNeverShowsItsPassword() {
        HikariDataSource pool = hikari("jdbc:postgresql://db.example:5432/orders?ssl=true");
        pool.setPassword("s3cret");
        runner.withBean(DataSource.class, () -> pool).withUserConfiguration(OneLineNotify.class).run(context -> {
            assertThat(context).hasNotFailed();
            ChangeNotifier<Long> notifier = context.getBean(Declared.class).notifier();
            assertThat(notifier).hasToString("PostgresNotifyChangeNotifier[channel orders_changed,"
                    + " jdbc:postgresql://db.example:5432/orders]");
            assertThat(context.getBean(PostgresNotifications.class).toString()).doesNotContain("s3cret")
                    .contains("HikariDataSource");
        });
    }

    @Test
    void listensWithTheSettingsOfASpringDriverBasedDataSource() {
        runner.withBean(DataSource.class, () -> new DriverManagerDataSource("jdbc:postgresql://db/orders", "app",
                        "s3cret"))
                .withUserConfiguration(OneLineNotify.class)
                .run(context -> assertThat(context.getBean(Declared.class).notifier().toString())
                        .contains("jdbc:postgresql://db/orders"));
    }

    @Test
    void nothingIsDeclaredWithoutASingleDataSource() {
        runner.run(context -> assertThat(context).doesNotHaveBean(PostgresNotifications.class));
        runner.withBean("one", DataSource.class, OpaqueDataSource::new)
                .withBean("two", DataSource.class, OpaqueDataSource::new)
                .run(context -> assertThat(context).doesNotHaveBean(PostgresNotifications.class));
    }

    @Test
    void backsOffWhenTheApplicationDeclaresItsOwn() {
        PostgresNotifications own = new PostgresNotifications() {
            @Override
            public <K> PostgresNotifyChangeNotifier<K> listen(String channel,
                                                              Function<? super String, ? extends K> keyParser) {
                return this.<K>builder(channel, keyParser).build();
            }

            @Override
            public <K> PostgresNotifyChangeNotifier.Builder<K> builder(
                    String channel, Function<? super String, ? extends K> keyParser) {
                return PostgresNotifyChangeNotifier.<K>builder("jdbc:postgresql://own/db", null, channel, keyParser);
            }

            @Override
            public PostgresNotifications installTrigger(String table, String keyColumn, String channel) {
                return this;
            }
        };
        runner.withBean(DataSource.class, OpaqueDataSource::new)
                .withBean(PostgresNotifications.class, () -> own)
                .run(context -> assertThat(context).getBean(PostgresNotifications.class).isSameAs(own));
    }

    static HikariDataSource hikari(String url) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url);
        pool.setUsername("app");
        return pool;
    }

    /** What a stream definition does with the bean: one line. */
    record Declared(ChangeNotifier<Long> notifier) {
    }

    @Configuration(proxyBeanMethods = false)
    static class OneLineNotify {

        @Bean
        Declared declared(PostgresNotifications notifications) {
            return new Declared(notifications.listen("orders_changed", Long::valueOf));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TriggerOnly {

        @Bean
        List<String> triggers(PostgresNotifications notifications) {
            notifications.installTrigger("orders", "id", "orders_changed");
            return List.of("orders");
        }
    }

    /** A DataSource that tells nothing about how it connects, and never does. */
    static final class OpaqueDataSource extends AbstractDataSource {

        @Override
        public Connection getConnection() {
            throw new UnsupportedOperationException("not connected in these tests");
        }

        @Override
        public Connection getConnection(String username, String password) {
            throw new UnsupportedOperationException("not connected in these tests");
        }
    }
}
