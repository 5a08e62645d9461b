package io.statusstream.spring;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves the streams of a reactive (Spring WebFlux) application: a handler mapping of its own with the stream
 * endpoints ({@link ReactiveStreamEndpoint}), ordered before the application's router functions and controllers so
 * that a broad pattern of theirs cannot shadow a stream, with the streams' CORS configuration when there is one. The
 * shared parts (engines, limits, metrics, health, shutdown) come from {@link StatusStreamAutoConfiguration}.
 *
 * <p>The mapping backs off when the application declares a bean named {@value #MAPPING}.
 */
@AutoConfiguration(after = StatusStreamAutoConfiguration.class,
        afterName = "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(DispatcherHandler.class)
@ConditionalOnBean(StatusStreams.class)
public final class StatusStreamWebFluxAutoConfiguration {

    static final String MAPPING = "statusStreamRouterFunctionMapping";

    /** Not to be created by applications: Spring Boot applies it as an auto-configuration. */
    StatusStreamWebFluxAutoConfiguration() {
    }

    @Bean(MAPPING)
    @ConditionalOnMissingBean(name = MAPPING)
    RouterFunctionMapping statusStreamRouterFunctionMapping(StatusStreams streams,
                                                            ObjectProvider<StreamDefinition<?, ?>> definitions,
                                                            StatusStreamProperties properties,
                                                            ObjectProvider<StatusStreamMetrics> metrics,
                                                            ConnectionLimiter limiter, OpenStreams openStreams) {
        StatusStreamMetrics meters = metrics.getIfAvailable(() -> StatusStreamMetrics.NONE);
        List<StreamRoute> routes = StreamRoute.of(definitions.orderedStream().toList(), properties);
        RouterFunction<ServerResponse> all = null;
        Map<String, CorsConfiguration> cors = new LinkedHashMap<>();
        CorsConfiguration configuration = StreamRoute.corsConfiguration(properties.cors());
        for (StreamRoute route : routes) {
            RouterFunction<ServerResponse> one = new ReactiveStreamEndpoint<>(
                    route.admission(streams, limiter, meters, openStreams)).routes(route.path());
            all = all == null ? one : all.and(one);
            if (configuration != null) {
                cors.put(route.path() + StreamRoute.SINGLE_KEY_SUFFIX, configuration);
                cors.put(route.path() + StreamRoute.MULTI_KEY_SUFFIX, configuration);
            }
        }
        RouterFunctionMapping mapping = new RouterFunctionMapping(all != null ? all : request -> Mono.empty());
        mapping.setOrder(StreamRoute.MAPPING_ORDER);
        mapping.setCorsConfigurations(cors);
        return mapping;
    }
}
