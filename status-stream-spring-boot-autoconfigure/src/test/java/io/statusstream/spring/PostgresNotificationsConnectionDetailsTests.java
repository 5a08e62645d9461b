package io.statusstream.spring;

import io.statusstream.spring.PostgresNotifyAutoConfigurationTests.Declared;
import io.statusstream.spring.PostgresNotifyAutoConfigurationTests.OneLineNotify;
import io.statusstream.spring.PostgresNotifyAutoConfigurationTests.OpaqueDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Boot's JDBC module on the class path (its own surefire execution: the other tests run without it): Boot's
 * auto-configured DataSource and its {@code JdbcConnectionDetails}. Skipped where that module is absent (when the
 * default execution is asked for it by {@code -Dtest}).
 */
@EnabledIf("bootJdbcPresent")
class PostgresNotificationsConnectionDetailsTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    PostgresNotifyAutoConfiguration.class));

    @Test
    void bootsOwnDataSourceOfAnotherDatabaseFailsStartupSayingSo() {
        runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:orders")
                .withUserConfiguration(OneLineNotify.class)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("needs PostgreSQL").hasMessageContaining("jdbc:h2:mem:orders"));
    }

    @Test
    void listensWithBootsDataSourceSettings() {
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://db/orders",
                        "spring.datasource.username=app", "spring.datasource.password=s3cret")
                .withUserConfiguration(OneLineNotify.class)
                .run(context -> assertThat(context.getBean(Declared.class).notifier().toString())
                        .contains("jdbc:postgresql://db/orders"));
    }

    @Test
    void listensWithTheConnectionDetailsWhenTheDataSourceTellsNothing() {
        runner.withBean(DataSource.class, OpaqueDataSource::new)
                .withUserConfiguration(JdbcServiceConnection.class)
                .withUserConfiguration(OneLineNotify.class)
                .run(context -> {
                    assertThat(context.getBean(Declared.class).notifier().toString())
                            .contains("jdbc:postgresql://service/orders");
                    assertThat(context.getBean(PostgresNotifications.class).toString())
                            .contains("JdbcConnectionDetails").doesNotContain("s3cret");
                });
    }

    static boolean bootJdbcPresent() {
        return ClassUtils.isPresent("org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails", null);
    }
}
