package io.statusstream.spring;

import io.statusstream.core.StatusStreamBuilder;
import org.springframework.web.cors.CorsConfiguration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where and how one stream is served, whatever the web stack: its path (the endpoints are {@code {path}/{key}/status-stream}
 * and {@code {path}/status-stream}) and the settings its endpoints apply. Immutable.
 *
 * @param definition   the stream
 * @param path         its base path, without trailing slash
 * @param maxKeys      keys per stream request, at most
 * @param readyTimeout how long a request waits for the first states before a 503
 * @param retryDelay   the {@code Retry-After} of a 503 or 429, and the reconnect hint
 * @param retryJitter  how much is added at random to {@code retryDelay}
 */
record StreamRoute(StreamDefinition<?, ?> definition, String path, int maxKeys, Duration readyTimeout,
                   Duration retryDelay, Duration retryJitter) {

    /**
     * The order of each stack's handler mapping of the streams: before the application's router functions (-1) and
     * {@code @RequestMapping}s (0), so that a broad pattern of theirs cannot shadow a stream.
     */
    static final int MAPPING_ORDER = -10;

    static final String SINGLE_KEY_SUFFIX = "/{key}/status-stream";
    static final String MULTI_KEY_SUFFIX = "/status-stream";

    /**
     * The routes of every definition, in order.
     *
     * @throws StatusStreamConfigurationException if two streams would be served at the same path
     */
    static List<StreamRoute> of(List<StreamDefinition<?, ?>> definitions, StatusStreamProperties properties) {
        List<StreamRoute> routes = new ArrayList<>();
        Map<String, String> streamByPath = new HashMap<>();
        for (StreamDefinition<?, ?> definition : definitions) {
            String path = definition.path().orElse(properties.basePath() + "/" + definition.name());
            String other = streamByPath.putIfAbsent(path, definition.name());
            if (other != null) {
                throw new StatusStreamConfigurationException("The streams '" + other + "' and '"
                        + definition.name() + "' are both served at " + path, "Give one of them another path:"
                        + " .path(...) on its StreamDefinition builder, or status-stream.base-path for streams"
                        + " without one");
            }
            StatusStreamProperties.Stream settings = properties.settingsFor(definition.name());
            routes.add(new StreamRoute(definition, path, settings.maxKeysPerStream(), properties.readyTimeout(),
                    Objects.requireNonNullElse(settings.reconnectDelay(), StatusStreamBuilder.DEFAULT_RECONNECT_DELAY),
                    Objects.requireNonNullElse(settings.reconnectJitter(),
                            StatusStreamBuilder.DEFAULT_RECONNECT_JITTER)));
        }
        return routes;
    }

    /** The admission of this route's requests, served by the given engines. */
    StreamAdmission<?, ?> admission(StatusStreams streams, ConnectionLimiter limiter, StatusStreamMetrics metrics,
                                    OpenStreams openStreams) {
        return new StreamAdmission<>(this, streams.get(definition), limiter, metrics, openStreams);
    }

    /**
     * The CORS configuration of every stream endpoint, or {@code null} when CORS is off: {@code GET} only, the
     * headers a reconnecting client sends, credentials as configured.
     */
    static CorsConfiguration corsConfiguration(StatusStreamProperties.Cors cors) {
        if (!cors.isEnabled()) {
            return null;
        }
        CorsConfiguration configuration = new CorsConfiguration();
        configuration.setAllowedOrigins(cors.allowedOrigins());
        configuration.setAllowedOriginPatterns(cors.allowedOriginPatterns());
        configuration.setAllowedMethods(List.of("GET"));
        configuration.setAllowedHeaders(List.of(StreamAdmission.LAST_EVENT_ID_HEADER, "Cache-Control"));
        configuration.setAllowCredentials(cors.allowCredentials());
        configuration.setMaxAge(cors.maxAge());
        return configuration;
    }
}
