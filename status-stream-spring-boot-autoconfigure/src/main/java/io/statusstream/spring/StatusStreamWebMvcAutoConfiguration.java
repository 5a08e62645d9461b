package io.statusstream.spring;

import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import io.statusstream.core.Frames;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.util.ArrayList;
import java.util.List;

/**
 * Serves the streams of a servlet (Spring MVC) application: a handler mapping of the stream endpoints, writing
 * through {@link SseEmitter}; the session listener that ends a logged-out user's streams; and the filter that keeps
 * the container's error page out of a stream whose client left.
 *
 * <p>Every bean backs off when the application declares its own of the same type.
 */
@AutoConfiguration(after = StatusStreamAutoConfiguration.class,
        afterName = "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, SseEmitter.class})
@ConditionalOnBean(StatusStreams.class)
public final class StatusStreamWebMvcAutoConfiguration {

    /** Not to be created by applications: Spring Boot applies it as an auto-configuration. */
    StatusStreamWebMvcAutoConfiguration() {
    }

    /** The stream's write path: {@link Frames} written as they are (see {@link FramesHttpMessageConverter}). */
    @Bean
    WebMvcConfigurer statusStreamFramesConverter() {
        return new WebMvcConfigurer() {
            @Override
            public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
                builder.addCustomConverter(new FramesHttpMessageConverter());
            }
        };
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
                                                          ConnectionLimiter limiter, OpenStreams openStreams) {
        StatusStreamMetrics meters = metrics.getIfAvailable(() -> StatusStreamMetrics.NONE);
        List<StreamEndpoint<?, ?>> endpoints = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (StreamRoute route : StreamRoute.of(definitions.orderedStream().toList(), properties)) {
            endpoints.add(new StreamEndpoint<>(route.admission(streams, limiter, meters, openStreams), route));
            paths.add(route.path());
        }
        return new StatusStreamHandlerMapping(endpoints, paths, StreamRoute.corsConfiguration(properties.cors()),
                limiter);
    }
}
