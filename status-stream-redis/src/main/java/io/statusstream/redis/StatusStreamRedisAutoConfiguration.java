package io.statusstream.redis;

import io.statusstream.core.StreamCluster;
import io.statusstream.spring.StatusStreamAutoConfiguration;
import io.statusstream.spring.StreamClusterFactory;
import io.statusstream.spring.StreamDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import java.time.Duration;

/**
 * Cluster mode for every stream of the starter when the application has a Redis connection (a
 * {@link RedisConnectionFactory} bean, as Spring Boot's {@code spring-boot-starter-data-redis} provides): one
 * {@link RedisStreamCluster} per stream, keys as text through the stream's key formatter and parser. Turn it off with
 * {@code status-stream.cluster.enabled=false}; declare a {@link StreamClusterFactory} bean to replace it.
 */
@AutoConfiguration(beforeName = "io.statusstream.spring.StatusStreamAutoConfiguration",
        afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({StatusStreamAutoConfiguration.class, RedisConnectionFactory.class})
@ConditionalOnBean(RedisConnectionFactory.class)
@ConditionalOnProperty(prefix = "status-stream.cluster", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(StatusStreamClusterProperties.class)
public final class StatusStreamRedisAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    StreamClusterFactory statusStreamRedisClusterFactory(RedisConnectionFactory connectionFactory,
                                                         StatusStreamClusterProperties properties) {
        return new RedisClusterFactory(connectionFactory, properties);
    }

    /** One {@link RedisStreamCluster} per stream. */
    private record RedisClusterFactory(RedisConnectionFactory connectionFactory,
                                       StatusStreamClusterProperties properties) implements StreamClusterFactory {

        @Override
        public <K, S> StreamCluster<K> create(StreamDefinition<K, S> definition, Duration pollInterval,
                                              int replaySize) {
            return RedisStreamCluster.<K>builder(connectionFactory, definition.keyFormatter(), definition.keyParser())
                    .prefix(properties.prefix())
                    .leaseTime(properties.leaseTime() != null ? properties.leaseTime() : pollInterval)
                    .historyLength(replaySize + 1)
                    .logLength(properties.logLength())
                    .build();
        }
    }
}
