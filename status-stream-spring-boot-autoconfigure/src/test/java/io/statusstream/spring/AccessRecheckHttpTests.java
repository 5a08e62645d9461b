package io.statusstream.spring;

import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Access taken back while streams are open: the policy is asked again (here on demand, with
 * {@link StatusStreams#recheckAccess}; the periodic round is the same round), a key it no longer allows is revoked
 * with one {@code revoked} event and nothing more of it is sent, and a stream left without keys ends with
 * {@code end}/{@code revoked}. The policy decides, not an outage: a failing policy or a failing source revokes
 * nothing. An HTTP session's end ends its streams ({@code logged-out}).
 */
@SpringBootTest(classes = AccessRecheckHttpTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "status-stream.access-recheck-interval=0")
class AccessRecheckHttpTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger CHANGES = new AtomicInteger();

    @LocalServerPort
    int port;
    @Autowired
    InMemoryStateSource<Long, String> rows;
    @Autowired
    Grants grants;
    @Autowired
    StatusStreams streams;
    @Autowired
    ManualStreamScheduler scheduler;
    @Autowired
    StatusStreamHandlerMapping endpoints;

    @BeforeEach
    void rows() {
        rows.put(1L, "one").put(2L, "two").put(3L, "three");
        streams.get("watched").touch(Set.of(1L, 2L, 3L));
        scheduler.runDue();
    }

    @AfterEach
    void reset() {
        grants.clear();
        rows.recover();
        // Closed clients are found by writes: heartbeats, with the engine's time moved on.
        await().atMost(StatusStreamClient.DEFAULT_TIMEOUT).until(() -> {
            scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL);
            return endpoints.openConnections() == 0;
        });
    }

    @Test
    void aKeyNowDeniedIsRevokedAndTheStreamLeftWithoutKeysEnds() {
        try (TestStream stream = open("alice", "/status-streams/watched/1/status-stream")) {
            stream.expectSnapshot("1");

            grants.set("alice", 1L, AccessDecision.DENY);
            recheck("alice");

            assertThat(stream.expectRevoked("1").state()).isEqualTo("null");
            stream.expectEnd("revoked");
            assertThat(stream.awaitEnd().ended()).isTrue();
        }
        assertThat(streams.get("watched").stats().subscribers()).isZero();
    }

    @Test
    void aKeyNowHiddenIsRevokedLikeADeniedOne() {
        try (TestStream stream = open("alice", "/status-streams/watched/1/status-stream")) {
            stream.expectSnapshot("1");

            grants.set("alice", 1L, AccessDecision.NOT_FOUND);
            recheck("alice");

            stream.expectRevoked("1");
            stream.expectEnd("revoked");
        }
    }

    @Test
    void aKeyStillAllowedStaysAndKeepsStreaming() {
        try (TestStream stream = open("alice", "/status-streams/watched/1/status-stream")) {
            stream.expectSnapshot("1");

            recheck("alice");
            change(1L, "one, later");

            assertThat(stream.expectChange("1").state()).startsWith("\"one, later #");
        }
    }

    @Test
    void aMultiKeyStreamLosingOneKeyKeepsStreamingTheOthersAndNothingMoreOfTheLostOne() {
        try (TestStream stream = open("alice", "/status-streams/watched/status-stream?ids=1,2")) {
            stream.expectSnapshot("1");
            stream.expectSnapshot("2");
            String lastId = stream.lastEventId();

            grants.set("alice", 2L, AccessDecision.DENY);
            recheck("alice");
            assertThat(stream.expectRevoked("2").id()).as("no id of its own").isEqualTo(lastId);

            change(2L, "two, secret");
            change(1L, "one, later");
            assertThat(stream.next().isChangeOf("1")).as("the next event after the revocation").isTrue();
            assertThat(stream.events()).noneMatch(event -> event.data().contains("secret"));
            assertThat(stream.ended()).isFalse();
        }
    }

    @Test
    void thePolicyIsAskedOncePerPrincipalAndStreamWithEveryKeyItWatches() {
        try (TestStream a = open("alice", "/status-streams/watched/1/status-stream");
             TestStream b = open("alice", "/status-streams/watched/status-stream?ids=1,2");
             TestStream c = open("alice", "/status-streams/watched/3/status-stream");
             TestStream d = open("bob", "/status-streams/watched/1/status-stream")) {
            a.expectSnapshot("1");
            b.expectSnapshot("2");
            c.expectSnapshot("3");
            d.expectSnapshot("1");
            grants.calls.clear();

            recheck("alice");
            assertThat(grants.calls).containsExactly(Map.entry("alice", Set.of(1L, 2L, 3L)));

            grants.calls.clear();
            streams.recheckAccess("watched", Set.of(1L)).toCompletableFuture().join();
            assertThat(grants.calls).containsExactlyInAnyOrder(Map.entry("alice", Set.of(1L)),
                    Map.entry("bob", Set.of(1L)));
        }
    }

    @Test
    void aFailingPolicyRevokesNothing() {
        try (TestStream stream = open("alice", "/status-streams/watched/1/status-stream")) {
            stream.expectSnapshot("1");

            grants.set("alice", 1L, AccessDecision.DENY);
            grants.failing.set(true);
            recheck("alice");
            change(1L, "one, later");

            assertThat(stream.expectChange("1").state()).startsWith("\"one, later #");
        }
    }

    @Test
    void whileTheSourceIsDownThePolicyStillDecidesAndOnlyThePolicy() {
        try (TestStream kept = open("alice", "/status-streams/watched/1/status-stream");
             TestStream lost = open("alice", "/status-streams/watched/2/status-stream")) {
            kept.expectSnapshot("1");
            lost.expectSnapshot("2");
            rows.failWith(new IllegalStateException("database down (test)"));
            scheduler.advance(Duration.ofSeconds(5));

            grants.set("alice", 2L, AccessDecision.DENY);
            recheck("alice");

            lost.expectRevoked("2");
            lost.expectEnd("revoked");
            assertThat(kept.ended()).as("the outage revokes nothing").isFalse();
            assertThat(kept.events()).noneMatch(event -> event.isRevocationOf("1"));
        }
    }

    @Test
    void loggingOutEndsTheSessionsStreamsWithLoggedOutAndLeavesOtherSessionsAlone() throws Exception {
        String aliceSession = login("alice");
        String bobSession = login("bob");
        try (TestStream alice = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue)
                .withHeader("Cookie", aliceSession).open("/status-streams/watched/1/status-stream");
             TestStream bob = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue)
                     .withHeader("Cookie", bobSession).open("/status-streams/watched/1/status-stream")) {
            alice.expectSnapshot("1");
            bob.expectSnapshot("1");

            post("/test-logout", aliceSession);

            alice.expectEnd("logged-out");
            assertThat(alice.awaitEnd().ended()).isTrue();
            change(1L, "one, later");
            bob.expectChange("1");
            assertThat(bob.ended()).isFalse();
        }
    }

    @Test
    void aStreamOpenedWithABearerTokenEndsWhenTheTokenExpires() {
        try (TestStream stream = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue)
                .withHeader("X-User", "alice").withHeader("X-Token-Expires-In-Ms", "1500")
                .open("/status-streams/watched/1/status-stream")) {
            stream.expectSnapshot("1");

            stream.expectEnd("expired");
            assertThat(stream.awaitEnd().ended()).isTrue();
        }
    }

    private TestStream open(String user, String path) {
        TestStream stream = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue)
                .withHeader("X-User", user).open(path);
        assertThat(stream.status()).isEqualTo(200);
        return stream;
    }

    private void recheck(String principal) {
        streams.recheckAccess(principal).toCompletableFuture().join();
    }

    /** Changes the row to the state, made unique: the engine still has the rows' states of earlier tests. */
    private void change(long key, String state) {
        rows.put(key, state + " #" + CHANGES.incrementAndGet());
        streams.get("watched").touch(key);
        scheduler.runDue();
    }

    /** Starts a session for the user; returns its cookie. */
    private String login(String user) throws IOException, InterruptedException {
        HttpResponse<String> response = post("/test-login?user=" + user, null);
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private HttpResponse<String> post(String path, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    /** A policy the test changes: every key allowed unless set otherwise; counts and can fail its re-checks. */
    static final class Grants implements StreamAccessPolicy<Long> {

        final Map<String, Map<Long, AccessDecision>> decisions = new ConcurrentHashMap<>();
        final List<Map.Entry<String, Set<Long>>> calls = new CopyOnWriteArrayList<>();
        final AtomicBoolean failing = new AtomicBoolean();

        void set(String principal, long key, AccessDecision decision) {
            decisions.computeIfAbsent(principal, name -> new ConcurrentHashMap<>()).put(key, decision);
        }

        void clear() {
            decisions.clear();
            calls.clear();
            failing.set(false);
        }

        private AccessDecision of(Principal principal, long key) {
            return decisions.getOrDefault(principal.getName(), Map.of()).getOrDefault(key, AccessDecision.ALLOW);
        }

        @Override
        public AccessDecision decide(Principal principal, Set<Long> keys) {
            return keys.stream().map(key -> of(principal, key)).filter(d -> d != AccessDecision.ALLOW).findFirst()
                    .orElse(AccessDecision.ALLOW);
        }

        @Override
        public Map<Long, AccessDecision> decideEach(Principal principal, Set<Long> keys) {
            calls.add(Map.entry(principal.getName(), Set.copyOf(keys)));
            if (failing.get()) {
                throw new IllegalStateException("the policy's database is down (test)");
            }
            Map<Long, AccessDecision> each = new HashMap<>();
            keys.forEach(key -> each.put(key, of(principal, key)));
            return each;
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {

        @Bean
        ManualStreamScheduler streamScheduler() {
            return new ManualStreamScheduler();
        }

        @Bean
        InMemoryStateSource<Long, String> rows() {
            return new InMemoryStateSource<>();
        }

        @Bean
        Grants grants() {
            return new Grants();
        }

        @Bean
        StreamDefinition<Long, String> watched(InMemoryStateSource<Long, String> rows, Grants grants,
                                               ManualStreamScheduler scheduler) {
            return StreamDefinition.builder("watched", rows).keyParser(KeyParsers.asciiLong()).accessPolicy(grants)
                    .scheduler(scheduler).build();
        }

        /** The principal: the X-User header, else the session's user (see {@link Sessions}). */
        @Bean
        Filter principal() {
            return (request, response, chain) -> {
                HttpServletRequest http = (HttpServletRequest) request;
                HttpSession session = http.getSession(false);
                String user = http.getHeader("X-User") != null ? http.getHeader("X-User")
                        : session == null ? null : (String) session.getAttribute("user");
                String expiresInMillis = http.getHeader("X-Token-Expires-In-Ms");
                Principal principal = expiresInMillis == null ? () -> user : bearer(user, Long.parseLong(expiresInMillis));
                chain.doFilter(user == null ? request : new HttpServletRequestWrapper(http) {
                    @Override
                    public Principal getUserPrincipal() {
                        return principal;
                    }
                }, response);
            };
        }

        /** As Spring Security's resource server authenticates a bearer token: the token is the credentials. */
        private static Principal bearer(String user, long expiresInMillis) {
            Instant now = Instant.now();
            OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "token-of-" + user,
                    now, now.plusMillis(expiresInMillis));
            return new TestingAuthenticationToken(user, token, "ROLE_USER");
        }

        @Bean
        Sessions sessions() {
            return new Sessions();
        }
    }

    /** A login that starts a session, and a logout that invalidates it, as any login framework does. */
    @RestController
    static class Sessions {

        @PostMapping("/test-login")
        String login(@RequestParam String user, HttpServletRequest request) {
            request.getSession(true).setAttribute("user", user);
            return "ok";
        }

        @PostMapping("/test-logout")
        String logout(HttpServletRequest request) {
            request.getSession(false).invalidate();
            return "ok";
        }
    }
}
