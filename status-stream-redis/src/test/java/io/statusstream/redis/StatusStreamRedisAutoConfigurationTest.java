package io.statusstream.redis;

import io.statusstream.core.StreamCluster;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.spring.StatusStreamAutoConfiguration;
import io.statusstream.spring.StreamClusterFactory;
import io.statusstream.spring.StreamDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration without a live Redis: Boot's Redis auto-configuration points at a port nothing listens on,
 * and nothing here connects (a connection is opened only when a cluster starts).
 */
class StatusStreamRedisAutoConfigurationTest {

    private static final StreamDefinition<Long, String> ROWS = StreamDefinition
            .builder("rows", new InMemoryStateSource<Long, String>()).keyParser(Long::valueOf).publicAccess().build();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                    StatusStreamRedisAutoConfiguration.class))
            .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=1");

    /** The cluster the factory makes for a stream polled every 2 s with a replay of 16 events per key. */
    private static ClusterSettings clusterOf(AssertableApplicationContext context) {
        StreamCluster<Long> cluster = context.getBean(StreamClusterFactory.class).create(ROWS, Duration.ofSeconds(2),
                16);
        assertThat(cluster).isInstanceOf(RedisStreamCluster.class);
        return ((RedisStreamCluster<Long>) cluster).settings();
    }

    @Test
    void givesEveryStreamARedisClusterWhenTheApplicationHasARedisConnection() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(StreamClusterFactory.class);
            ClusterSettings settings = clusterOf(context);
            assertThat(settings.prefix()).isEqualTo("status-stream");
            assertThat(settings.leaseTime()).as("the poll interval").isEqualTo(Duration.ofSeconds(2));
            assertThat(settings.historyLength()).as("replay size + 1").isEqualTo(17);
            assertThat(settings.logLength()).isEqualTo(10_000);
            assertThat(settings.readBlock()).isEqualTo(Duration.ofSeconds(1));
        });
    }

    @Test
    void usesTheApplicationsOwnConnectionFactory() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(StatusStreamRedisAutoConfiguration.class))
                .withUserConfiguration(OwnConnection.class)
                .run(context -> assertThat(context).hasSingleBean(StreamClusterFactory.class));
    }

    @Test
    void isOffWhenClusterModeIsDisabled() {
        runner.withPropertyValues("status-stream.cluster.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(StreamClusterFactory.class));
    }

    @Test
    void isOffWithoutSpringDataRedisOnTheClasspath() {
        runner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(StreamClusterFactory.class));
    }

    @Test
    void isOffWithoutTheStarterOnTheClasspath() {
        runner.withClassLoader(new FilteredClassLoader(StatusStreamAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(StreamClusterFactory.class));
    }

    @Test
    void isOffWithoutARedisConnectionFactoryBean() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(StatusStreamRedisAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(StreamClusterFactory.class));
    }

    @Test
    void bindsThePrefixLeaseTimeAndLogLength() {
        runner.withPropertyValues("status-stream.cluster.prefix=shop", "status-stream.cluster.lease-time=750ms",
                "status-stream.cluster.log-length=500").run(context -> {
                    ClusterSettings settings = clusterOf(context);
                    assertThat(settings.prefix()).isEqualTo("shop");
                    assertThat(settings.leaseTime()).isEqualTo(Duration.ofMillis(750));
                    assertThat(settings.logLength()).isEqualTo(500);
                    assertThat(settings.readBlock()).as("the lease time, under 1 s").isEqualTo(Duration.ofMillis(750));
                });
    }

    @Test
    void keepsTheBlockingReadOfTheLogUnderHalfTheCommandTimeout() {
        runner.withPropertyValues("spring.data.redis.timeout=300ms")
                .run(context -> assertThat(clusterOf(context).readBlock()).isEqualTo(Duration.ofMillis(150)));
    }

    @Test
    void stopsTheApplicationOnABadSettingNamingTheProperty() {
        runner.withPropertyValues("status-stream.cluster.log-length=10").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("status-stream.cluster.log-length"));
        runner.withPropertyValues("status-stream.cluster.prefix={shop}").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("without braces"));
    }

    @Test
    void backsOffWhenTheApplicationDeclaresItsOwnClusterFactory() {
        runner.withUserConfiguration(OwnClusterFactory.class).run(context -> {
            assertThat(context).hasSingleBean(StreamClusterFactory.class);
            assertThat(context.getBean(StreamClusterFactory.class)).isSameAs(OwnClusterFactory.LOCAL);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnConnection {

        /** Never started, so never connected. */
        @Bean
        RedisConnectionFactory redisConnectionFactory() {
            return new LettuceConnectionFactory();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnClusterFactory {

        static final StreamClusterFactory LOCAL = new StreamClusterFactory() {
            @Override
            public <K, S> StreamCluster<K> create(StreamDefinition<K, S> definition, Duration pollInterval,
                                                  int replaySize) {
                return null;
            }
        };

        @Bean
        StreamClusterFactory localStreams() {
            return LOCAL;
        }
    }
}
