package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.spring.TestApplication.Bot;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.server.SecurityWebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access policy with Spring Security WebFlux's principal, over real HTTP on Reactor Netty: the secured test
 * application (a policy that lets only alice watch) as a reactive one, behind an HTTP Basic {@code SecurityWebFilterChain}.
 * The {@code Authentication} the chain puts into the exchange is the principal the policy decides on.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@SpringBootTest(classes = {SecuredApplication.class, ReactiveSecurityHttpTests.BasicChain.class},
        webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.main.web-application-type=reactive")
class ReactiveSecurityHttpTests {

    @LocalServerPort
    int port;
    @Autowired
    ManualStreamScheduler scheduler;
    @Autowired
    InMemoryStateSource<Long, Bot> source;

    @Test
    void theAuthenticatedUserIsThePrincipalThePolicyAllows() {
        source.put(21L, new Bot("twenty-one", "RUNNING"));
        try (TestStream stream = client().withBasicAuth("alice", "alice").open("/api/v1/bots/21/status-stream")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.expectSnapshot("21").state()).contains("twenty-one");
        }
    }

    @Test
    void anotherAuthenticatedUserIsDeniedByThePolicyWithAProblemBody() throws Exception {
        source.put(22L, new Bot("twenty-two", "RUNNING"));
        HttpResponse<String> denied = get("/api/v1/bots/22/status-stream", "bob", "bob");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(denied.body()).contains("\"status\":403");
    }

    @Test
    void withoutCredentialsTheChainAnswers401BeforeAnyStreamIsOpened() throws Exception {
        HttpResponse<String> refused = get("/api/v1/bots/23/status-stream", null, null);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Basic "));
        assertThat(source.calls()).as("nothing was fetched for a request nobody may make")
                .noneMatch(keys -> keys.contains(23L));
    }

    private StatusStreamClient client() {
        return StatusStreamSecurityHttpTests.client(port, scheduler);
    }

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        Map<String, String> headers = new HashMap<>(Map.of("Accept", "text/event-stream"));
        if (user != null) {
            headers.put("Authorization", StatusStreamSecurityHttpTests.basic(user, password));
        }
        return StatusStreamSecurityHttpTests.get(port, path, headers);
    }

    /** An application's own reactive chain: everything authenticated, HTTP Basic; the users are the secured app's. */
    @Configuration(proxyBeanMethods = false)
    @EnableWebFluxSecurity
    static class BasicChain {

        @Bean
        SecurityWebFilterChain appSecurity(ServerHttpSecurity http) {
            return http.authorizeExchange(exchanges -> exchanges.anyExchange().authenticated())
                    .httpBasic(Customizer.withDefaults())
                    .csrf(ServerHttpSecurity.CsrfSpec::disable)
                    .build();
        }

        @Bean
        ReactiveUserDetailsService reactiveUsers(UserDetailsService users) {
            return username -> Mono.fromCallable(() -> users.loadUserByUsername(username))
                    .subscribeOn(Schedulers.boundedElastic());
        }
    }
}
