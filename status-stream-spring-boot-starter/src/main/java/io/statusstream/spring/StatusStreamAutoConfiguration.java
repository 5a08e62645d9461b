package io.statusstream.spring;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import io.statusstream.core.EventSerializer;
import io.statusstream.core.StatusStream;
import io.statusstream.core.StatusStreamBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Serves every {@link StreamDefinition} bean of a servlet web application as Server-Sent Events: one engine per
 * definition ({@link StatusStreams}), its endpoints, a Jackson 3 serializer, Micrometer meters and an Actuator health
 * indicator when those are present, and completion of every stream when the application shuts down.
 *
 * <p>Every bean backs off when the application declares its own of the same type.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, SseEmitter.class, StatusStream.class})
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
    StreamSessionListener statusStreamSessionListener(OpenStreams openStreams) {
        return new StreamSessionListener(openStreams);
    }

    @Bean
    FilterRegistrationBean<StreamErrorPageFilter> statusStreamErrorPageFilter() {
        FilterRegistrationBean<StreamErrorPageFilter> registration =
                new FilterRegistrationBean<>(new StreamErrorPageFilter());
        registration.setDispatcherTypes(DispatcherType.ERROR, DispatcherType.INCLUDE);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    @ConditionalOnMissingBean
    StatusStreamHandlerMapping statusStreamHandlerMapping(StatusStreams streams,
                                                          ObjectProvider<StreamDefinition<?, ?>> definitions,
                                                          StatusStreamProperties properties,
                                                          ObjectProvider<StatusStreamMetrics> metrics,
                                                          OpenStreams openStreams) {
        ConnectionLimiter limiter = new ConnectionLimiter(properties.maxConnections(),
                properties.maxConnectionsPerPrincipal());
        StatusStreamMetrics meters = metrics.getIfAvailable(() -> StatusStreamMetrics.NONE);
        List<StreamEndpoint<?, ?>> endpoints = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        Map<String, String> streamByPath = new HashMap<>();
        for (StreamDefinition<?, ?> definition : definitions.orderedStream().toList()) {
            String path = definition.path().orElse(properties.basePath() + "/" + definition.name());
            String other = streamByPath.putIfAbsent(path, definition.name());
            if (other != null) {
                throw new StatusStreamConfigurationException("The streams '" + other + "' and '"
                        + definition.name() + "' are both served at " + path, "Give one of them another path:"
                        + " .path(...) on its StreamDefinition builder, or status-stream.base-path for streams"
                        + " without one");
            }
            endpoints.add(endpoint(definition, streams, limiter, meters, properties, openStreams));
            paths.add(path);
        }
        return new StatusStreamHandlerMapping(endpoints, paths, corsConfiguration(properties.cors()), limiter);
    }

    private static <K, S> StreamEndpoint<K, S> endpoint(StreamDefinition<K, S> definition, StatusStreams streams,
                                                        ConnectionLimiter limiter, StatusStreamMetrics metrics,
                                                        StatusStreamProperties properties, OpenStreams openStreams) {
        StatusStreamProperties.Stream settings = properties.settingsFor(definition.name());
        return new StreamEndpoint<>(definition, streams.get(definition), limiter, metrics,
                settings.maxKeysPerStream(), properties.readyTimeout(),
                Objects.requireNonNullElse(settings.reconnectDelay(), StatusStreamBuilder.DEFAULT_RECONNECT_DELAY),
                Objects.requireNonNullElse(settings.reconnectJitter(), StatusStreamBuilder.DEFAULT_RECONNECT_JITTER),
                openStreams);
    }

    private static CorsConfiguration corsConfiguration(StatusStreamProperties.Cors cors) {
        if (!cors.isEnabled()) {
            return null;
        }
        CorsConfiguration configuration = new CorsConfiguration();
        configuration.setAllowedOrigins(cors.allowedOrigins());
        configuration.setAllowedOriginPatterns(cors.allowedOriginPatterns());
        configuration.setAllowedMethods(List.of("GET"));
        configuration.setAllowedHeaders(List.of(StreamEndpoint.LAST_EVENT_ID_HEADER, "Cache-Control"));
        configuration.setAllowCredentials(cors.allowCredentials());
        configuration.setMaxAge(cors.maxAge());
        return configuration;
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
        StatusStreamMetrics statusStreamMetrics(MeterRegistry registry) {
            return new MicrometerStatusStreamMetrics(registry);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("status-stream")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "statusStreamHealthIndicator")
        HealthIndicator statusStreamHealthIndicator(StatusStreams streams) {
            return new StatusStreamHealthIndicator(streams);
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
