package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

import java.security.Principal;

/**
 * A host application as a user would write it: two streams over in-memory sources, one public and one behind an
 * access policy. Time is driven by the test through one {@link ManualStreamScheduler}. The principal comes from an
 * {@code X-User} header, standing in for a real login. It runs as a servlet application, or as a reactive one with
 * {@code spring.main.web-application-type=reactive}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestApplication {

    /** The secured stream's policy: alice may watch keys below 100, except 66 (forbidden) and 44 (hidden). */
    static final AccessDecision decide(Principal principal, java.util.Set<Long> keys) {
        if (!principal.getName().equals("alice") || keys.contains(66L)) {
            return AccessDecision.DENY;
        }
        if (keys.contains(44L) || keys.stream().anyMatch(key -> key >= 100)) {
            return AccessDecision.NOT_FOUND;
        }
        return AccessDecision.ALLOW;
    }

    record Bot(String name, String status) {
    }

    @Bean
    ManualStreamScheduler streamScheduler() {
        return new ManualStreamScheduler();
    }

    @Bean
    InMemoryStateSource<Long, Bot> botSource() {
        return new InMemoryStateSource<>();
    }

    @Bean
    StreamDefinition<Long, Bot> botStream(InMemoryStateSource<Long, Bot> botSource, ManualStreamScheduler scheduler) {
        return StreamDefinition.builder("bots", botSource)
                .path("/api/v1/bots")
                .keyParser(Long::valueOf)
                .publicAccess()
                .scheduler(scheduler)
                .build();
    }

    @Bean
    StreamDefinition<Long, Bot> orderStream(InMemoryStateSource<Long, Bot> botSource, ManualStreamScheduler scheduler) {
        return StreamDefinition.builder("orders", botSource)
                .keyParser(Long::valueOf)
                .accessPolicy(TestApplication::decide)
                .scheduler(scheduler)
                .build();
    }

    @Bean
    Filter principalFromHeader() {
        return principalFromHeaderFilter();
    }

    /** {@link #principalFromHeader()} for a reactive application. */
    @Bean
    WebFilter reactivePrincipalFromHeader() {
        return (exchange, chain) -> {
            String user = exchange.getRequest().getHeaders().getFirst("X-User");
            return chain.filter(user == null ? exchange
                    : exchange.mutate().principal(Mono.just((Principal) () -> user)).build());
        };
    }

    /** Stands in for a real login: the principal named by the {@code X-User} header, none without it. */
    static Filter principalFromHeaderFilter() {
        return (request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            String user = http.getHeader("X-User");
            chain.doFilter(user == null ? request : new HttpServletRequestWrapper(http) {
                @Override
                public Principal getUserPrincipal() {
                    return () -> user;
                }
            }, response);
        };
    }
}
