package io.statusstream.spring;

import io.statusstream.test.StatusStreamClient;
import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.test.TestStream;
import io.statusstream.spring.TestApplication.Bot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** TestStream limits and the ready timeout, on a server allowing two streams in all and one per principal. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "status-stream.max-connections=2",
        "status-stream.max-connections-per-principal=1",
        "status-stream.ready-timeout=300ms"})
class StatusStreamLimitsHttpTests {

    private static final Map<String, String> ALICE = Map.of("X-User", "alice");
    private static final Map<String, String> BOB = Map.of("X-User", "bob");

    @LocalServerPort
    int port;
    @Autowired
    ManualStreamScheduler scheduler;
    @Autowired
    InMemoryStateSource<Long, Bot> source;
    @Autowired
    StatusStreams streams;
    @Autowired
    StatusStreamHandlerMapping endpoints;

    StatusStreamClient client;

    @BeforeEach
    void setUp() {
        client = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue);
        source.put(1L, new Bot("a", "OK")).put(2L, new Bot("b", "OK"));
    }

    @AfterEach
    void everyStreamIsReleased() {
        Drive.until(() -> streams.get("bots").stats().subscribers() == 0
                        && streams.get("orders").stats().subscribers() == 0 && endpoints.openConnections() == 0,
                () -> scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL));
    }

    @Test
    void refusesAPrincipalsStreamBeyondItsLimitWith429AndRetryAfter() {
        try (TestStream first = client.open("/status-streams/orders/1/status-stream", ALICE)) {
            assertThat(first.status()).isEqualTo(200);
            try (TestStream second = client.open("/status-streams/orders/2/status-stream", ALICE)) {
                assertThat(second.status()).isEqualTo(429);
                assertRetryAfterIsTheJitteredReconnectDelay(second);
                assertThat(second.body()).contains("\"status\":429");
            }
            try (TestStream other = client.open("/api/v1/bots/2/status-stream", BOB)) {
                assertThat(other.status()).as("the limit is per principal").isEqualTo(200);
            }
        }
    }

    @Test
    void refusesStreamsBeyondTheGlobalLimitWith503AndRetryAfterUntilOneCloses() {
        TestStream first = client.open("/api/v1/bots/1/status-stream");
        try (TestStream second = client.open("/api/v1/bots/2/status-stream")) {
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
            try (TestStream third = client.open("/api/v1/bots/1/status-stream")) {
                assertThat(third.status()).isEqualTo(503);
                assertRetryAfterIsTheJitteredReconnectDelay(third);
            }
            first.close();
            // Once the server notices the disconnect (a heartbeat write fails), the place is free again.
            int[] status = new int[1];
            Drive.until(() -> {
                try (TestStream retry = client.open("/api/v1/bots/1/status-stream")) {
                    status[0] = retry.status();
                }
                return status[0] == 200;
            }, () -> scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL));
        }
    }

    @Test
    void answers503WhenTheFirstStateOfAKeyIsNotAvailableWithinTheReadyTimeout() {
        source.put(3L, new Bot("c", "OK"));
        source.failWith(new IllegalStateException("database is down"));
        try (TestStream refused = client.open("/api/v1/bots/3/status-stream")) {
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isNotNull();
            assertThat(refused.body()).contains("not available yet");
        } finally {
            source.recover();
        }
    }

    private static void assertRetryAfterIsTheJitteredReconnectDelay(TestStream refused) {
        long min = StatusStreamBuilder.DEFAULT_RECONNECT_DELAY.toSeconds();
        long max = StatusStreamBuilder.DEFAULT_RECONNECT_DELAY.plus(StatusStreamBuilder.DEFAULT_RECONNECT_JITTER)
                .toSeconds();
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(min, max);
    }
}
