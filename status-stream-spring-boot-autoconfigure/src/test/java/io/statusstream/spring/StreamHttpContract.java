package io.statusstream.spring;

import io.statusstream.test.StatusStreamClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.test.TestStream;
import io.statusstream.test.StreamEvent;
import io.statusstream.spring.TestApplication.Bot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP contract of the stream endpoints, the same on every web stack: each stack's subclass starts the test
 * application on its server (a random port) with the properties below, and this suite talks to it with a real SSE
 * client and raw sockets. Time moves only when a test advances the {@link ManualStreamScheduler}; each test watches its
 * own keys, so tests sharing the context do not interfere.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class StreamHttpContract {

    static final String MAX_KEYS = "status-stream.max-keys-per-stream=5";
    static final String CORS_ORIGIN = "status-stream.cors.allowed-origins=https://app.example.com";
    static final String CORS_CREDENTIALS = "status-stream.cors.allow-credentials=true";


    @LocalServerPort
    int port;
    @Autowired
    ManualStreamScheduler scheduler;
    @Autowired
    InMemoryStateSource<Long, Bot> source;
    @Autowired
    StatusStreams streams;
    @Autowired
    MeterRegistry meters;
    @Autowired
    @Qualifier("statusStreamHealthIndicator")
    HealthIndicator health;
    @Autowired
    ConnectionLimiter limiter;

    StatusStreamClient client;

    @BeforeEach
    void setUp() {
        client = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue);
    }

    @Test
    void opensAStreamWithEventStreamHeadersAndSendsTheCurrentStateAtOnce() {
        source.put(1L, new Bot("alpha", "RUNNING"));
        try (TestStream stream = connect("/api/v1/bots/1/status-stream")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).isEqualToIgnoringCase("text/event-stream;charset=UTF-8");
            assertThat(stream.header("Cache-Control")).contains("no-cache");
            assertThat(stream.header("X-Accel-Buffering")).isEqualTo("no");
            assertThat(stream.header("Content-Encoding")).isNull();

            StreamEvent snapshot = stream.next();
            assertThat(stream.retry()).as("the retry hint, before the first event").isBetween(StatusStreamBuilder.DEFAULT_RECONNECT_DELAY.toMillis(),
                    StatusStreamBuilder.DEFAULT_RECONNECT_DELAY.plus(StatusStreamBuilder.DEFAULT_RECONNECT_JITTER).toMillis());
            assertThat(snapshot.id()).matches("[^-]+-\\d+");
            assertThat(snapshot.data())
                    .isEqualTo("{\"key\":\"1\",\"kind\":\"snapshot\",\"state\":{\"name\":\"alpha\",\"status\":\"RUNNING\"}}");
        }
    }

    @Test
    void sendsEachChangeAsAnEventWhenTheApplicationTouchesTheKey() {
        source.put(2L, new Bot("beta", "RUNNING"));
        try (TestStream stream = connect("/api/v1/bots/2/status-stream")) {
            stream.next();
            source.put(2L, new Bot("beta", "STOPPED"));
            streams.<Long, Bot>get("bots").touch(2L);
            scheduler.runDue();

            StreamEvent change = stream.next();
            assertThat(change.data())
                    .isEqualTo("{\"key\":\"2\",\"kind\":\"change\",\"state\":{\"name\":\"beta\",\"status\":\"STOPPED\"}}");

            source.remove(2L);
            streams.<Long, Bot>get("bots").touch(2L);
            scheduler.runDue();
            assertThat(stream.next().data()).isEqualTo("{\"key\":\"2\",\"kind\":\"removed\",\"state\":null}");
        }
    }

    @Test
    void servesTheBrowserClientModule() {
        try (TestStream script = connect("/status-stream/status-stream.js")) {
            assertThat(script.status()).isEqualTo(200);
            assertThat(script.header("Content-Type")).contains("javascript");
            assertThat(script.body()).contains("export function openStatusStream");
        }
    }

    @Test
    void sendsHeartbeatsOnAnIdleStream() {
        source.put(3L, new Bot("gamma", "IDLE"));
        try (TestStream stream = connect("/api/v1/bots/3/status-stream")) {
            StreamEvent snapshot = stream.nextEvent();
            StreamEvent greeting = stream.nextEvent();
            assertThat(greeting.type()).as("the first write ends with a ping").isEqualTo("ping");
            assertThat(greeting.data()).as("telling the heartbeat interval in ms")
                    .isEqualTo(String.valueOf(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL.toMillis()));
            // A stream written to since the last heartbeat tick is not idle yet: the tick after next pings it.
            scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL.multipliedBy(2));
            StreamEvent ping = stream.nextEvent();
            assertThat(ping.type()).isEqualTo("ping");
            assertThat(ping.id()).as("a heartbeat leaves the last event id alone").isEqualTo(snapshot.id());
        }
    }

    @Test
    void replaysTheChangesMissedWhileDisconnectedWhenTheClientReconnectsWithLastEventId() {
        source.put(4L, new Bot("delta", "v1"));
        String lastSeen;
        try (TestStream stream = connect("/api/v1/bots/4/status-stream")) {
            lastSeen = stream.next().id();
        }
        source.put(4L, new Bot("delta", "v2"));
        streams.<Long, Bot>get("bots").touch(4L);
        scheduler.runDue();
        source.put(4L, new Bot("delta", "v3"));
        streams.<Long, Bot>get("bots").touch(4L);
        scheduler.runDue();

        try (TestStream resumed = connect("/api/v1/bots/4/status-stream", Map.of("Last-Event-ID", lastSeen))) {
            assertThat(resumed.next().data()).contains("\"kind\":\"change\"", "v2");
            assertThat(resumed.next().data()).contains("\"kind\":\"change\"", "v3");
        }
        try (TestStream resumed = connect("/api/v1/bots/4/status-stream?lastEventId=" + lastSeen)) {
            assertThat(resumed.next().data())
                    .as("the query parameter stands in for the header").contains("\"kind\":\"change\"", "v2");
        }
        try (TestStream fresh = connect("/api/v1/bots/4/status-stream", Map.of("Last-Event-ID", "not-an-id"))) {
            assertThat(fresh.next().data())
                    .as("a malformed id means: send a snapshot").contains("\"kind\":\"snapshot\"", "v3");
        }
    }

    @Test
    void streamsManyKeysOnOneConnectionEachEventNamingItsKey() {
        source.put(5L, new Bot("e", "a")).put(6L, new Bot("f", "b")).put(7L, new Bot("g", "c"));
        try (TestStream stream = connect("/api/v1/bots/status-stream?ids=5,6,7")) {
            List<String> data = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                data.add(stream.next().data());
            }
            assertThat(data).anyMatch(d -> d.startsWith("{\"key\":\"5\""))
                    .anyMatch(d -> d.startsWith("{\"key\":\"6\""))
                    .anyMatch(d -> d.startsWith("{\"key\":\"7\""));

            source.put(6L, new Bot("f", "changed"));
            streams.<Long, Bot>get("bots").touch(List.of(5L, 6L, 7L));
            scheduler.runDue();
            assertThat(stream.next().data()).startsWith("{\"key\":\"6\",\"kind\":\"change\"");
        }
    }

    @Test
    void aReconnectStormOnTheSameKeysCollapsesIntoOneFetch() throws Exception {
        source.put(14L, new Bot("p", "OK"));
        int subscribersBefore = subscribers("bots");
        int fetchesBefore = source.callCount();
        List<CompletableFuture<TestStream>> pending = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pending.add(client.openAsync("/api/v1/bots/14/status-stream", Map.of()));
        }
        // Every request has subscribed and waits for the key's first state; the poller has not run yet.
        await().atMost(StatusStreamClient.DEFAULT_TIMEOUT).until(() -> subscribers("bots") == subscribersBefore + 5);
        scheduler.runDue();

        for (CompletableFuture<TestStream> response : pending) {
            try (TestStream stream = response.get(StatusStreamClient.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                assertThat(stream.next().data()).startsWith("{\"key\":\"14\",\"kind\":\"snapshot\"");
            }
        }
        assertThat(source.callCount() - fetchesBefore).isEqualTo(1);
    }

    @Test
    void refusesMalformedKeysAndTooManyKeysWith400ProblemDetails() {
        try (TestStream refused = connect("/api/v1/bots/abc/status-stream")) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(refused.body()).contains("\"status\":400", "malformed key 'abc'").doesNotContain("Exception");
        }
        try (TestStream refused = connect("/api/v1/bots/status-stream?ids=1,2,3,4,5,6")) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.body()).contains("too many keys");
        }
        try (TestStream refused = connect("/api/v1/bots/status-stream")) {
            assertThat(refused.status()).isEqualTo(400);
        }
    }

    @Test
    void answers404WhenNoRequestedKeyExistsInTheSource() {
        try (TestStream refused = connect("/api/v1/bots/999/status-stream")) {
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(refused.body()).contains("no such key: 999");
        }
        try (TestStream refused = connect("/api/v1/bots/status-stream?ids=997,996")) {
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.body()).contains("no such keys: 997, 996");
        }
    }

    @Test
    void aMultiKeyStreamWithSomeKeysMissingStreamsTheOthersAndNullForTheMissing() {
        source.put(998L, new Bot("x", "y"));
        try (TestStream stream = connect("/api/v1/bots/status-stream?ids=998,995")) {
            assertThat(stream.status()).isEqualTo(200);
            List<String> data = List.of(stream.next().data(), stream.next().data());
            assertThat(data).contains("{\"key\":\"995\",\"kind\":\"snapshot\",\"state\":null}")
                    .anyMatch(d -> d.startsWith("{\"key\":\"998\",\"kind\":\"snapshot\",\"state\":{"));

            source.put(995L, new Bot("late", "NEW"));
            streams.<Long, Bot>get("bots").touch(995L);
            scheduler.runDue();
            assertThat(stream.next().data()).startsWith("{\"key\":\"995\",\"kind\":\"change\"");
        }
    }

    @Test
    void securedStreamAnswers401WithoutPrincipalAnd403Or404AsThePolicyDecides() {
        source.put(8L, new Bot("h", "OK")).put(66L, new Bot("i", "OK")).put(44L, new Bot("j", "OK"));
        try (TestStream refused = connect("/status-streams/orders/8/status-stream")) {
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("WWW-Authenticate")).as("RFC 9110: every 401 carries a challenge, never Basic")
                    .isEqualTo("Session");
        }
        try (TestStream refused = connect("/status-streams/orders/8/status-stream", Map.of("X-User", "mallory"))) {
            assertThat(refused.status()).isEqualTo(403);
        }
        try (TestStream refused = connect("/status-streams/orders/66/status-stream", Map.of("X-User", "alice"))) {
            assertThat(refused.status()).isEqualTo(403);
        }
        try (TestStream refused = connect("/status-streams/orders/44/status-stream", Map.of("X-User", "alice"))) {
            assertThat(refused.status()).as("the policy hides a key as if it did not exist").isEqualTo(404);
        }
        try (TestStream allowed = connect("/status-streams/orders/8/status-stream", Map.of("X-User", "alice"))) {
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.next().data()).startsWith("{\"key\":\"8\",\"kind\":\"snapshot\"");
        }
    }

    @Test
    void aKeyThePolicyHidesGetsTheSameAnswerAsAKeyThatDoesNotExistSoProbingRevealsNothing() {
        source.put(44L, new Bot("hidden", "OK"));
        Map<String, String> alice = Map.of("X-User", "alice");
        try (TestStream hidden = connect("/status-streams/orders/44/status-stream", alice);
             TestStream absent = connect("/status-streams/orders/45/status-stream", alice)) {
            assertSameAnswer(hidden, "44", absent, "45");
        }
        try (TestStream hidden = connect("/status-streams/orders/status-stream?ids=44,43", alice);
             TestStream absent = connect("/status-streams/orders/status-stream?ids=42,43", alice)) {
            assertSameAnswer(hidden, "44", absent, "42");
        }
    }

    private static void assertSameAnswer(TestStream first, String firstKey, TestStream second, String secondKey) {
        assertThat(first.status()).isEqualTo(404).isEqualTo(second.status());
        for (String header : List.of("Content-Type", "Cache-Control", "Retry-After")) {
            assertThat(first.header(header)).as(header).isEqualTo(second.header(header));
        }
        assertThat(first.body().replace(firstKey, "<key>"))
                .isEqualTo(second.body().replace(secondKey, "<key>"));
    }

    @Test
    void allowsCrossOriginStreamsFromConfiguredOriginsOnlyWithCredentials() {
        source.put(13L, new Bot("o", "OK"));
        try (TestStream allowed = connect("/api/v1/bots/13/status-stream",
                Map.of("Origin", "https://app.example.com"))) {
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
            assertThat(allowed.header("Access-Control-Allow-Credentials")).isEqualTo("true");
            assertThat(allowed.next().data()).contains("snapshot");
        }
        try (TestStream refused = connect("/api/v1/bots/13/status-stream", Map.of("Origin", "https://evil.example"))) {
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.header("Access-Control-Allow-Origin")).isNull();
        }
    }

    @Test
    void aDisconnectedClientIsReleasedQuietlyAndItsKeyUnwatchedWithoutLeaks(CapturedOutput output) {
        source.put(9L, new Bot("k", "OK"));
        int before = subscribers("bots");
        try (TestStream stream = connect("/api/v1/bots/9/status-stream")) {
            stream.next();
            assertThat(subscribers("bots")).isEqualTo(before + 1);
        }
        // The server learns of the disconnect when a write fails: heartbeats find it.
        // Every test closes its connections, so every subscription of both streams must end.
        Drive.until(() -> subscribers("bots") == 0 && subscribers("orders") == 0,
                () -> scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL));
        scheduler.advance(StatusStreamBuilder.DEFAULT_KEY_RETENTION.plus(StatusStreamBuilder.DEFAULT_POLL_INTERVAL));
        assertThat(streams.get("bots").stats().watchedKeys()).isZero();
        assertThat(streams.get("orders").stats().watchedKeys()).isZero();
        assertThat(output.toString()).as("a client going away is no warning").doesNotContain("WARN", "ERROR", "Exception");
    }

    @Test
    void metricsCountEventsPollsAndRefusalsTaggedByStream() {
        source.put(11L, new Bot("m", "OK"));
        try (TestStream stream = connect("/api/v1/bots/11/status-stream")) {
            stream.next();
            assertThat(meters.get("status.stream.subscribers").tag("stream", "bots").gauge().value()).isPositive();
        }
        try (TestStream refused = connect("/api/v1/bots/x/status-stream")) {
            assertThat(refused.status()).isEqualTo(400);
        }
        assertThat(meters.get("status.stream.events.sent").tag("stream", "bots").counter().count()).isPositive();
        assertThat(meters.get("status.stream.polls").tag("stream", "bots").timer().count()).isPositive();
        assertThat(meters.get("status.stream.subscribers.opened").tag("stream", "bots").counter().count()).isPositive();
        assertThat(meters.get("status.stream.connections.rejected").tags("stream", "bots", "status", "400")
                .counter().count()).isPositive();
        assertThat(meters.get("status.stream.source.healthy").tag("stream", "orders").gauge().value()).isEqualTo(1);
    }

    @Test
    void healthIsDownWhileAStreamsSourceFailsAndUpAgainWhenItRecovers() {
        source.put(12L, new Bot("n", "OK"));
        try (TestStream stream = connect("/api/v1/bots/12/status-stream")) {
            stream.next();
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            source.failWith(new IllegalStateException("database is down"));
            try {
                streams.get("bots").pollNow();
                scheduler.runDue();
                assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                assertThat(health.health().getDetails()).extractingByKey("bots").asString()
                        .contains("database is down");
            } finally {
                source.recover();
            }
            streams.get("bots").pollNow();
            scheduler.runDue();
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        }
    }

    @Test
    void headGetsTheStreamsHeadersAndLeavesNoSubscriptionOrPermitBehind() throws IOException {
        source.put(21L, new Bot("head", "running"));
        int before = subscribers("orders");
        for (int i = 0; i < 40; i++) {
            String response = exchange("HEAD /status-streams/orders/21/status-stream HTTP/1.1\r\nHost: localhost\r\n"
                    + "X-User: alice\r\nConnection: close\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("Content-Type: text/event-stream")
                    .doesNotContain("data:");
        }
        assertThat(subscribers("orders")).isEqualTo(before);
        Drive.until(() -> limiter.openConnections() == 0,
                () -> scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL));
    }

    @Test
    void headIsCheckedLikeGet() throws IOException {
        assertThat(exchange("HEAD /status-streams/orders/1/status-stream HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 401");
        assertThat(exchange("HEAD /status-streams/orders/66/status-stream HTTP/1.1\r\nHost: localhost\r\n"
                + "X-User: alice\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 403");
        assertThat(exchange("HEAD /status-streams/orders/x/status-stream HTTP/1.1\r\nHost: localhost\r\n"
                + "X-User: alice\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void otherMethodsAre405WithAllowAndOpenNothing() throws IOException {
        source.put(23L, new Bot("methods", "running"));
        int before = subscribers("bots");
        int openBefore = limiter.openConnections();
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            for (String path : new String[] {"/api/v1/bots/23/status-stream", "/api/v1/bots/status-stream?ids=23"}) {
                String response = exchange(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n");
                assertThat(response).as(method + " " + path).startsWith("HTTP/1.1 405")
                        .containsPattern("(?im)^Allow: GET\\b").doesNotContain("data:");
            }
        }
        assertThat(subscribers("bots")).isEqualTo(before);
        assertThat(limiter.openConnections()).as("no permit taken").isLessThanOrEqualTo(openBefore);
    }

    @Test
    void aClientThatLeavesBeforeItsFirstStateIsReleasedAndNobodyElseLosesAnEvent() throws IOException {
        source.put(22L, new Bot("early", "v1"));
        try (TestStream healthy = connect("/api/v1/bots/22/status-stream")) {
            healthy.next();
            // A request that waits for a key nobody has loaded yet (the poller has not run), then a reset.
            for (int i = 0; i < 10; i++) {
                Socket early = new Socket("localhost", port);
                early.getOutputStream().write(("GET /api/v1/bots/status-stream?ids=22,23" + i + " HTTP/1.1\r\n"
                        + "Host: localhost\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                early.setSoLinger(true, 0);
                early.close();
            }
            source.put(22L, new Bot("early", "v2"));
            streams.<Long, Bot>get("bots").touch(22L);
            scheduler.runDue();
            assertThat(healthy.next().data()).contains("v2");
        }
        Drive.until(() -> limiter.openConnections() == 0 && subscribers("bots") == 0,
                () -> scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL));
    }

    /** Sends a raw request and reads the response to its end (the server closes: {@code Connection: close}). */
    String exchange(String request) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int read; (read = in.read(buffer)) >= 0; ) {
                response.write(buffer, 0, read);
            }
            return response.toString(StandardCharsets.ISO_8859_1);
        }
    }

    int subscribers(String stream) {
        return streams.get(stream).stats().subscribers();
    }

    TestStream connect(String path) {
        return client.open(path);
    }

    TestStream connect(String path, Map<String, String> headers) {
        return client.open(path, headers);
    }
}
