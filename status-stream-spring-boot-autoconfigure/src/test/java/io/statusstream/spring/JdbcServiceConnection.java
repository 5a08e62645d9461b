package io.statusstream.spring;

import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A {@link JdbcConnectionDetails} bean as a service connection (Testcontainers, Docker Compose) declares it; for
 * {@link PostgresNotificationsConnectionDetailsTests}. Its own file, so that no test class refers to Boot's JDBC
 * module in a signature: the other tests run without that module.
 */
@Configuration(proxyBeanMethods = false)
class JdbcServiceConnection {

    @Bean
    JdbcConnectionDetails jdbcConnectionDetails() {
        return new JdbcConnectionDetails() {
            @Override
            public String getUsername() {
                return "app";
            }

            @Override
            public String getPassword() {
                return "s3cret";
            }

            @Override
            public String getJdbcUrl() {
                return "jdbc:postgresql://service/orders";
            }
        };
    }
}
