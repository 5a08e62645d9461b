package io.statusstream.spring;

import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

import java.lang.reflect.Method;
import java.util.List;

/**
 * Maps the endpoints of every stream, without component scanning: a handler mapping of its own (as Actuator has
 * for its endpoints), so the application's controllers and their mapping are left alone. Runs before the
 * application's controllers, so a broad controller pattern cannot shadow a stream.
 *
 * <p>CORS, when configured, applies to the stream endpoints only, through the usual Spring MVC CORS processing
 * (preflight included). Thread-safe after initialization, as every handler mapping.
 */
final class StatusStreamHandlerMapping extends RequestMappingInfoHandlerMapping {

    private final List<StreamEndpoint<?, ?>> endpoints;
    private final List<String> paths;
    private final CorsConfiguration cors;
    private final ConnectionLimiter limiter;

    /**
     * @param endpoints one per stream
     * @param paths     each endpoint's path, same order
     * @param cors      the CORS configuration of every stream endpoint, or {@code null} for none
     * @param limiter   the connection limits the endpoints share
     */
    StatusStreamHandlerMapping(List<StreamEndpoint<?, ?>> endpoints, List<String> paths, CorsConfiguration cors,
                               ConnectionLimiter limiter) {
        this.endpoints = List.copyOf(endpoints);
        this.paths = List.copyOf(paths);
        this.cors = cors;
        this.limiter = limiter;
        setOrder(StreamRoute.MAPPING_ORDER);
    }

    @Override
    protected void initHandlerMethods() {
        RequestMappingInfo.BuilderConfiguration options = new RequestMappingInfo.BuilderConfiguration();
        options.setPatternParser(getPatternParser());
        for (int i = 0; i < endpoints.size(); i++) {
            register(endpoints.get(i), paths.get(i) + StreamRoute.SINGLE_KEY_SUFFIX, StreamEndpoint.SINGLE_KEY, options);
            register(endpoints.get(i), paths.get(i) + StreamRoute.MULTI_KEY_SUFFIX, StreamEndpoint.MULTI_KEY, options);
        }
    }

    private void register(StreamEndpoint<?, ?> endpoint, String path, Method method,
                          RequestMappingInfo.BuilderConfiguration options) {
        registerHandlerMethod(endpoint, method,
                RequestMappingInfo.paths(path).methods(RequestMethod.GET).options(options).build());
    }

    @Override
    protected boolean isHandler(Class<?> beanType) {
        return false;
    }

    @Override
    protected RequestMappingInfo getMappingForMethod(Method method, Class<?> handlerType) {
        return null;
    }

    @Override
    protected CorsConfiguration initCorsConfiguration(Object handler, Method method, RequestMappingInfo mapping) {
        return cors;
    }

    /** Open streams of all endpoints, as counted against {@code status-stream.max-connections}. */
    int openConnections() {
        return limiter.openConnections();
    }

    @Override
    public String toString() {
        return "StatusStreamHandlerMapping" + paths + (cors == null ? "" : ", CORS");
    }
}
