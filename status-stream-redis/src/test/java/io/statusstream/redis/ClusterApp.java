package io.statusstream.redis;

import com.zaxxer.hikari.HikariDataSource;
import io.statusstream.jdbc.JdbcStateSource;
import io.statusstream.jdbc.testing.CountingDataSource;
import io.statusstream.jdbc.testing.TestDatabase;
import io.statusstream.spring.StreamDefinition;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * One instance of the host application of the cluster scenarios: a stream {@code rows} over a PostgreSQL table
 * ({@code cluster-test.table}), every statement counted, Redis reached at {@code spring.data.redis.port} (a test
 * proxy per instance, so a test can cut one instance off).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ClusterApp {

    /** A row's state: clients must converge to the database's version. */
    record Row(long version) {
    }

    /** Every statement the instance sent to the database. */
    record Statements(CountingDataSource dataSource) {
        int count() {
            return dataSource.statements();
        }
    }

    @Bean(destroyMethod = "close")
    HikariDataSource pool() {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(TestDatabase.POSTGRES.url());
        pool.setUsername(TestDatabase.POSTGRES.user());
        pool.setPassword(TestDatabase.POSTGRES.password());
        pool.setMaximumPoolSize(2);
        return pool;
    }

    @Bean
    Statements statements(HikariDataSource pool) {
        return new Statements(new CountingDataSource(pool));
    }

    @Bean
    StreamDefinition<Long, Row> rows(Statements statements, @Value("${cluster-test.table}") String table) {
        JdbcStateSource<Long, Row> source = JdbcStateSource.<Long, Row>forTable(statements.dataSource(), table, "id",
                Long.class, (resultSet, rowNumber) -> new Row(resultSet.getLong("version"))).build();
        return StreamDefinition.builder("rows", source).keyParser(Long::valueOf).publicAccess().build();
    }
}
