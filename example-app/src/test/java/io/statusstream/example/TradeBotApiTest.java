package io.statusstream.example;

import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.StreamEvent;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint contract over real HTTP, as an API client (HTTP Basic) sees it, read with the test kit
 * ({@code status-stream-test}). The poll interval is an hour, so a change that arrives was pushed by the app's own
 * {@code touch}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tradebot.simulator.enabled=false",
        "status-stream.poll-interval=1h"})
class TradeBotApiTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Test
    void withoutALoginTheStreamAndTheApiAnswer401() throws Exception {
        assertThat(StatusStreamClient.forPort(port).open("/api/v1/bots/1/status-stream").status()).isEqualTo(401);
        assertThat(get("/api/v1/bots", null).statusCode()).isEqualTo(401);
    }

    @Test
    void anotherUsersBotIs403AndAnUnknownBotIs404() throws Exception {
        StatusStreamClient alice = StatusStreamClient.forPort(port).withBasicAuth("alice", "alice");
        assertThat(alice.open("/api/v1/bots/5/status-stream").status()).isEqualTo(403);
        assertThat(alice.open("/api/v1/bots/status-stream?ids=1,5").status()).isEqualTo(403);
        assertThat(alice.open("/api/v1/bots/99/status-stream").status()).isEqualTo(404);
        assertThat(alice.open("/api/v1/bots/abc/status-stream").status()).isEqualTo(400);
        assertThat(get("/api/v1/bots/5", "alice").statusCode()).isEqualTo(403);
        assertThat(post("/api/v1/bots/5/stop", "alice").statusCode()).isEqualTo(403);
    }

    @Test
    void aMultiKeyStreamSendsTheStateOfEveryBotOnOneConnection() {
        StatusStreamClient alice = StatusStreamClient.forPort(port).withBasicAuth("alice", "alice");
        try (TestStream stream = alice.open("/api/v1/bots/status-stream?ids=1,2,3")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            // In id order, which is the order of the bots' last changes (other tests change bots).
            List<StreamEvent> snapshots = List.of(stream.next(), stream.next(), stream.next());
            assertThat(snapshots).extracting(StreamEvent::kind).containsOnly(StreamEvent.SNAPSHOT);
            assertThat(snapshots).extracting(StreamEvent::key).containsExactlyInAnyOrder("1", "2", "3");
            assertThat(snapshots).filteredOn(event -> event.key().equals("3")).singleElement()
                    .satisfies(bot3 -> assertThat(bot3.state()).contains("\"status\":\"paused\""));
            stream.assertIdsIncreasing();
        }
    }

    @Test
    void stopAndStartArePushedAtOnceWithoutWaitingForThePoll() throws Exception {
        StatusStreamClient bob = StatusStreamClient.forPort(port).withBasicAuth("bob", "bob");
        try (TestStream stream = bob.open("/api/v1/bots/6/status-stream")) {
            assertThat(stream.expectSnapshot("6").state()).contains("\"status\":\"stopped\"");

            assertThat(post("/api/v1/bots/6/start", "bob").statusCode()).isEqualTo(200);
            assertThat(stream.expectChange("6").state()).contains("\"status\":\"running\"");

            assertThat(post("/api/v1/bots/6/stop", "bob").statusCode()).isEqualTo(200);
            assertThat(stream.expectChange("6").state()).contains("\"status\":\"stopped\"");
            stream.assertIdsIncreasing();

            try (TestStream resumed = stream.reconnect()) {
                assertThat(post("/api/v1/bots/6/start", "bob").statusCode()).isEqualTo(200);
                assertThat(resumed.next()).as("resumed from Last-Event-ID: no snapshot, nothing repeated")
                        .satisfies(event -> assertThat(event.isChangeOf("6")).isTrue())
                        .satisfies(event -> assertThat(event.state()).contains("\"status\":\"running\""));
            }
        }
    }

    @Test
    void aBotGivenToAnotherUserDisappearsFromTheFormerOwnersOpenStreamAtOnce() throws Exception {
        StatusStreamClient alice = StatusStreamClient.forPort(port).withBasicAuth("alice", "alice");
        try (TestStream stream = alice.open("/api/v1/bots/status-stream?ids=1,2")) {
            stream.expectSnapshot("1");
            stream.expectSnapshot("2");

            assertThat(post("/api/v1/bots/2/owner?to=alice", "alice").statusCode())
                    .as("only an operator gives bots away").isEqualTo(403);
            assertThat(post("/api/v1/bots/2/owner?to=bob", "operator").statusCode()).isEqualTo(200);

            stream.expectRevoked("2");
            assertThat(stream.ended()).as("bot 1 is still hers").isFalse();
            assertThat(post("/api/v1/bots/1/stop", "alice").statusCode()).isEqualTo(200);
            assertThat(stream.next().isChangeOf("1")).as("the next event is bot 1's, nothing more of bot 2").isTrue();
            try (TestStream bobs = StatusStreamClient.forPort(port).withBasicAuth("bob", "bob")
                    .open("/api/v1/bots/2/status-stream")) {
                bobs.expectSnapshot("2");
            }
        } finally {
            post("/api/v1/bots/2/owner?to=alice", "operator");
            post("/api/v1/bots/1/start", "alice");
        }
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        return http.send(request(path, user).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String user) throws Exception {
        return http.send(request(path, user).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String user) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (user != null) {
            builder.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
        }
        return builder;
    }
}
