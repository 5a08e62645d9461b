package io.statusstream.benchmarks.server;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Cluster mode of the benchmark server ({@code status-stream.cluster.enabled=true}, set by the runner for the
 * "3 instances (cluster)" scenarios only): the Lettuce settings status-stream-redis recommends (commands fail at once
 * while disconnected, reconnect every 200 ms; timeouts of 500 ms are in {@code application.properties}).
 * {@code /bench/cluster} ({@link BenchmarkEndpoints}) tells the runner each instance's cluster mode.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "status-stream.cluster.enabled", havingValue = "true")
class ClusterModeConfiguration {

    @Bean
    LettuceClientOptionsBuilderCustomizer benchRejectWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    @Bean
    ClientResourcesBuilderCustomizer benchReconnectDelay() {
        return resources -> resources.reconnectDelay(Delay.constant(Duration.ofMillis(200)));
    }
}
