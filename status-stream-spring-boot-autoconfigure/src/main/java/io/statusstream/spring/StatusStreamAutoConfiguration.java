package io.statusstream.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.statusstream.core.EventSerializer;
import io.statusstream.core.StatusStream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;


/**
 * What every web stack shares: one engine per {@link StreamDefinition} bean ({@link StatusStreams}), the connection
 * limits, the open streams' register (access re-checks, logout), a Jackson 3 serializer, Micrometer meters (and
 * observations of polls and touches when there is also an {@code ObservationRegistry}) and an Actuator health
 * indicator when those are present, and the drain of every stream when the application shuts down. The endpoints
 * come from the configuration of the application's stack: {@link StatusStreamWebMvcAutoConfiguration} or
 * {@code StatusStreamWebFluxAutoConfiguration}.
 *
 * <p>Every bean backs off when the application declares its own of the same type.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnWebApplication
@ConditionalOnClass(StatusStream.class)
@EnableConfigurationProperties(StatusStreamProperties.class)
public final class StatusStreamAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(StatusStreams.class)
    StatusStreamRegistry statusStreams(ApplicationContext context, ObjectProvider<StreamDefinition<?, ?>> definitions,
                                       StatusStreamProperties properties,
                                       ObjectProvider<EventSerializerFactory> serializers,
                                       ObjectProvider<StatusStreamMetrics> metrics,
                                       ObjectProvider<StreamClusterFactory> clusters) {
        // Looked up when the streams start, so that beans the definitions need may inject StatusStreams.
        return new StatusStreamRegistry(context, () -> definitions.orderedStream().toList(), properties,
                () -> serializers.getIfAvailable(() -> MissingSerializerFactory.INSTANCE),
                () -> metrics.getIfAvailable(() -> StatusStreamMetrics.NONE), clusters::getIfAvailable);
    }

    @Bean(destroyMethod = "close")
    OpenStreams statusStreamOpenStreams(StatusStreamProperties properties) {
        return new OpenStreams(properties.accessRecheckInterval());
    }

    @Bean
    @ConditionalOnMissingBean
    ConnectionLimiter statusStreamConnectionLimiter(StatusStreamProperties properties) {
        return new ConnectionLimiter(properties.maxConnections(), properties.maxConnectionsPerPrincipal());
    }

    @Bean
    @ConditionalOnClass(name = "org.springframework.boot.web.server.context.WebServerInitializedEvent")
    ServerConnectionLimit statusStreamServerConnectionLimit(ConnectionLimiter limiter) {
        return new ServerConnectionLimit(limiter);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JsonMapper.class)
    static class JacksonSerializerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        EventSerializerFactory statusStreamEventSerializerFactory(ObjectProvider<JsonMapper> jsonMapper) {
            return new JacksonEventSerializerFactory(jsonMapper.getIfAvailable(JsonMapper::shared));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static class MicrometerMetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        StatusStreamMetrics statusStreamMetrics(MeterRegistry registry,
                                                ObjectProvider<ObservationRegistry> observations) {
            return new MicrometerStatusStreamMetrics(registry,
                    observations.getIfAvailable(() -> ObservationRegistry.NOOP));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("status-stream")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "statusStreamHealthIndicator")
        HealthIndicator statusStreamHealthIndicator(StatusStreams streams, StatusStreamProperties properties) {
            return new StatusStreamHealthIndicator(streams, properties);
        }
    }

    /** Stands in when neither Jackson nor an {@link EventSerializerFactory} bean is there: fails with the fix. */
    private enum MissingSerializerFactory implements EventSerializerFactory {
        INSTANCE;

        @Override
        public <K, S> EventSerializer<K, S> create(StreamDefinition<K, S> definition) {
            throw new StatusStreamConfigurationException("The stream '" + definition.name() + "' has no"
                    + " serializer: Jackson 3 is not on the class path and there is no EventSerializerFactory bean",
                    "Add Jackson 3 (spring-boot-starter-jackson) for the JSON envelope, declare an"
                            + " EventSerializerFactory bean, or set .serializer(...) on its StreamDefinition builder");
        }
    }
}
