package io.statusstream.benchmarks.server;

import io.statusstream.jdbc.JdbcStateSource;
import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import io.statusstream.spring.StreamDefinition;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The library under test: the bot states table as one public stream at {@code /api/v1/bots}, polled in batches,
 * with PostgreSQL {@code LISTEN/NOTIFY} hints when {@code bench.push=true}. Poll interval and limits come from the
 * starter's {@code status-stream.*} properties, which the runner sets.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "bench.mode", havingValue = "library")
class LibraryStreamConfiguration {

    @Bean
    StreamDefinition<Long, BotState> botStream(DataSource dataSource, @Value("${bench.table}") String table,
                                               @Value("${bench.push:false}") boolean push) {
        JdbcStateSource<Long, BotState> source = JdbcStateSource
                .forQuery(dataSource, "SELECT " + BotState.COLUMNS + " FROM " + table + " WHERE id IN (:keys) AND "
                        + BotState.COUNTED,
                        "id", Long.class, BotState::fromRow)
                .build();
        StreamDefinition.Builder<Long, BotState> stream = StreamDefinition.builder("bots", source)
                .path("/api/v1/bots")
                .keyParser(Long::valueOf)
                .publicAccess();
        if (push) {
            stream.changeNotifier(PostgresNotifyChangeNotifier
                    .<Long>builder(dataSource, table + "_changed", Long::valueOf)
                    .build());
        }
        return stream.build();
    }
}
