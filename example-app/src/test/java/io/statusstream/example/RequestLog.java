package io.statusstream.example;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every request to a stream URL (a path ending in {@code /status-stream}) the server received, as
 * {@code "GET /api/v1/bots/1/status-stream?lastEventId=..."}, logged before any other filter (Spring Security's
 * included), so that refused requests count too. Thread-safe.
 */
@TestConfiguration(proxyBeanMethods = false)
class RequestLog {

    /**
     * How long a client that stopped must send no further stream request: longer than the browser client's first
     * retry delays (0.5 to 1 s, then 1 to 2 s) and the browser's own (3 s).
     */
    static final Duration NO_RETRY_WITHIN = Duration.ofMillis(3500);

    private final Queue<String> requests = new ConcurrentLinkedQueue<>();

    @Bean
    FilterRegistrationBean<Filter> requestLogFilter() {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            if (http.getRequestURI().endsWith("/status-stream")) {
                requests.add(http.getMethod() + " " + http.getRequestURI()
                        + (http.getQueryString() == null ? "" : "?" + http.getQueryString()));
            }
            chain.doFilter(request, response);
        });
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    long countTo(String path) {
        return requests.stream().filter(request -> request.substring(request.indexOf(' ') + 1).startsWith(path)).count();
    }

    void clear() {
        requests.clear();
    }
}
