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
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import java.time.Duration;

/**
 * Cluster mode for every stream of the starter when the application has a Redis connection (a
 * {@link RedisConnectionFactory} bean, as Spring Boot's {@code spring-boot-starter-data-redis} provides): one
 * {@link RedisStreamCluster} per stream, keys as text through the stream's key formatter and parser. Turn it off with
 * {@code status-stream.cluster.enabled=false}; declare a {@link StreamClusterFactory} bean to replace it.
 *
 * <p>Opens no connection itself: each cluster connects when its stream starts it. The factory is immutable and
 * thread-safe. A cluster's log read blocks for at most half the connection's command timeout
 * ({@code spring.data.redis.timeout}), so an idle read is never taken for an outage.
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
                                                         StatusStreamClusterProperties properties,
                                                         Environment environment) {
        // The binder converts "500ms" whatever conversion service the environment has (a context runner's has none).
        Duration commandTimeout = Binder.get(environment).bind("spring.data.redis.timeout", Duration.class)
                .orElse(null);
        return new RedisClusterFactory(connectionFactory, properties, commandTimeout);
    }

    /**
     * One {@link RedisStreamCluster} per stream.
     *
     * @param commandTimeout the connection's command timeout ({@code spring.data.redis.timeout}), or {@code null}
     */
    private record RedisClusterFactory(RedisConnectionFactory connectionFactory,
                                       StatusStreamClusterProperties properties,
                                       Duration commandTimeout) implements StreamClusterFactory {

        @Override
        public <K, S> StreamCluster<K> create(StreamDefinition<K, S> definition, Duration pollInterval,
                                              int replaySize) {
            Duration leaseTime = properties.leaseTime() != null ? properties.leaseTime() : pollInterval;
            Duration readBlock = RedisStreamCluster.Builder.defaultReadBlock(leaseTime);
            if (commandTimeout != null && !commandTimeout.isZero() && readBlock.compareTo(commandTimeout.dividedBy(2)) > 0) {
                readBlock = commandTimeout.dividedBy(2);
            }
            return RedisStreamCluster.<K>builder(connectionFactory, definition.keyFormatter(), definition.keyParser())
                    .prefix(properties.prefix())
                    .leaseTime(leaseTime)
                    .readBlock(readBlock)
                    .historyLength(replaySize + 1)
                    .logLength(properties.logLength())
                    .build();
        }
    }
}
