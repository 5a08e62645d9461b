package io.statusstream.spring;

import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;

/**
 * Declares {@link PostgresNotifications}, PostgreSQL {@code LISTEN/NOTIFY} push from the application's
 * {@code DataSource}, when {@code status-stream-jdbc} is on the class path and the application has one
 * {@code DataSource}. Nothing connects until a stream declares a notifier, and no DDL runs unless
 * {@link PostgresNotifications#installTrigger} asks for it. Backs off when the application declares its own
 * {@link PostgresNotifications}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({PostgresNotifyChangeNotifier.class, DataSource.class})
@ConditionalOnSingleCandidate(DataSource.class)
public final class PostgresNotifyAutoConfiguration {

    private static final String CONNECTION_DETAILS =
            "org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails";

    @Bean
    @ConditionalOnMissingBean(PostgresNotifications.class)
    DataSourcePostgresNotifications statusStreamPostgresNotifications(ApplicationContext context,
                                                                      DataSource dataSource) {
        return new DataSourcePostgresNotifications(context, dataSource, () -> connectionDetails(context));
    }

    /** Boot's {@code JdbcConnectionDetails} bean if Boot's JDBC module is there and has one, else {@code null}. */
    private static Object connectionDetails(ListableBeanFactory beans) {
        ClassLoader loader = PostgresNotifyAutoConfiguration.class.getClassLoader();
        if (!ClassUtils.isPresent(CONNECTION_DETAILS, loader)) {
            return null;
        }
        return beans.getBeanProvider(ClassUtils.resolveClassName(CONNECTION_DETAILS, loader)).getIfUnique();
    }
}
