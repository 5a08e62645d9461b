package io.statusstream.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint contract over real HTTP, as an API client (HTTP Basic) sees it. The poll interval is an hour, so a
 * change that arrives was pushed by the app's own {@code touch}.
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
        assertThat(get("/api/v1/bots/1/status-stream", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/bots", null).statusCode()).isEqualTo(401);
    }

    @Test
    void anotherUsersBotIs403AndAnUnknownBotIs404() throws Exception {
        assertThat(get("/api/v1/bots/5/status-stream", "alice").statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/bots/status-stream?ids=1,5", "alice").statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/bots/99/status-stream", "alice").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/bots/abc/status-stream", "alice").statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/bots/5", "alice").statusCode()).isEqualTo(403);
        assertThat(post("/api/v1/bots/5/stop", "alice").statusCode()).isEqualTo(403);
    }

    @Test
    void aMultiKeyStreamSendsTheStateOfEveryBotOnOneConnection() throws Exception {
        try (Stream stream = open("/api/v1/bots/status-stream?ids=1,2,3", "alice")) {
            List<String> data = List.of(stream.nextData(), stream.nextData(), stream.nextData());

            assertThat(data).anySatisfy(json -> assertThat(json).contains("\"key\":\"1\"", "\"kind\":\"snapshot\""))
                    .anySatisfy(json -> assertThat(json).contains("\"key\":\"2\""))
                    .anySatisfy(json -> assertThat(json).contains("\"key\":\"3\"", "\"status\":\"paused\""));
        }
    }

    @Test
    void stopAndStartArePushedAtOnceWithoutWaitingForThePoll() throws Exception {
        try (Stream stream = open("/api/v1/bots/6/status-stream", "bob")) {
            assertThat(stream.nextData()).contains("\"kind\":\"snapshot\"", "\"status\":\"stopped\"");

            assertThat(post("/api/v1/bots/6/start", "bob").statusCode()).isEqualTo(200);
            assertThat(stream.nextData()).contains("\"kind\":\"change\"", "\"status\":\"running\"");

            assertThat(post("/api/v1/bots/6/stop", "bob").statusCode()).isEqualTo(200);
            assertThat(stream.nextData()).contains("\"kind\":\"change\"", "\"status\":\"stopped\"");
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

    private Stream open(String path, String user) throws Exception {
        HttpResponse<java.io.InputStream> response = http.send(request(path, user).timeout(Duration.ofMinutes(1))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        return new Stream(new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8)));
    }

    /** The data lines of a stream, read as they come (the body stays open). */
    private record Stream(BufferedReader reader) implements AutoCloseable {

        String nextData() throws Exception {
            List<String> seen = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                seen.add(line);
                if (line.startsWith("data: {")) {
                    return line.substring("data: ".length());
                }
            }
            throw new AssertionError("stream ended after " + seen);
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }
}
