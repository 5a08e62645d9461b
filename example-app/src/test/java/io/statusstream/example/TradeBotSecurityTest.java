package io.statusstream.example;

import io.statusstream.example.RawHttp.Response;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example's security decisions, each over real HTTP: an HTTP Basic client gets a session, so that its reconnects
 * skip the deliberately slow password check; only requests that really carry Basic credentials skip the CSRF token;
 * health details and metrics are for the operator only. alice owns bots 1-4, bob 5-7; the operator owns none.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tradebot.simulator.enabled=false",
        "status-stream.poll-interval=1h"})
class TradeBotSecurityTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    RawHttp raw;

    @BeforeEach
    void setUp() {
        raw = new RawHttp(port);
    }

    @Test
    void aBasicClientGetsASessionUnderANewIdAndItsCookieAloneThenAuthenticates() throws Exception {
        // An anonymous page visit leaves a session id behind (the request saved for after the login).
        String before = sessionCookie(raw.get("/", "Accept: text/html"));
        Response first = raw.get("/api/v1/bots/1/status-stream", RawHttp.basic("alice"), "Cookie: " + before);
        assertThat(first.status()).isEqualTo(200);
        String after = sessionCookie(first);
        assertThat(after).as("a new id: a session id known before the login never becomes logged in")
                .isNotEqualTo(before);

        // EventSource reconnects send the cookie only: no password, no hash.
        try (TestStream reconnect = StatusStreamClient.forPort(port).withHeader("Cookie", after)
                .open("/api/v1/bots/1/status-stream")) {
            assertThat(reconnect.status()).isEqualTo(200);
            reconnect.expectSnapshot("1");
        }
        assertThat(raw.get("/api/v1/bots/1/status-stream", "Cookie: " + before).status())
                .as("the old id is not logged in").isEqualTo(401);
    }

    @Test
    void aSessionCookieWithAnAuthorizationHeaderThatIsNotBasicCredentialsStillNeedsTheCsrfToken() throws IOException {
        String alice = raw.login("alice");
        for (String header : new String[] {"Authorization: Bearer x", "Authorization:", "Authorization: Digest x",
                "Authorization: Basic", "Authorization: Basic !!!", "Authorization: Basic "
                + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8))}) {
            Response forged = raw.post("/api/v1/bots/2/stop", alice, header, "Accept: application/json");
            assertThat(forged.status()).as(header).isEqualTo(403);
        }
        assertThat(raw.get("/api/v1/bots/2/status-stream", alice).body()).as("bot 2 still runs")
                .contains("\"status\":\"running\"");

        assertThat(raw.post("/api/v1/bots/2/stop", RawHttp.basic("alice"), "Accept: application/json").status())
                .as("real Basic credentials: no session to forge, no token needed").isEqualTo(200);
        assertThat(raw.post("/api/v1/bots/2/start", RawHttp.basic("alice"), "Accept: application/json").status())
                .isEqualTo(200);
    }

    @Test
    void anonymousHealthShowsOnlyTheStatus() throws Exception {
        HttpResponse<String> health = get("/actuator/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertStatusOnly(health.body());
        assertThat(get("/actuator/health/statusStream", null).statusCode()).isIn(401, 404);
    }

    @Test
    void onlyTheOperatorSeesHealthDetailsAndMetrics() throws Exception {
        assertStatusOnly(get("/actuator/health", "alice").body());
        assertThat(get("/actuator/metrics", "alice").statusCode()).isEqualTo(403);
        assertThat(get("/actuator/metrics/status.stream.subscribers", "alice").statusCode()).isEqualTo(403);
        assertThat(get("/actuator/metrics", null).statusCode()).isEqualTo(401);

        HttpResponse<String> health = get("/actuator/health", "operator");
        assertThat(health.body()).contains("\"statusStream\"").contains("\"watchedKeys\"").contains("\"db\"");
        assertThat(get("/actuator/metrics", "operator").statusCode()).isEqualTo(200);
    }

    private static void assertStatusOnly(String health) {
        assertThat(health).contains("\"status\":\"UP\"").doesNotContain("components").doesNotContain("details")
                .doesNotContain("watchedKeys").doesNotContain("H2");
    }

    private static String sessionCookie(Response response) {
        Matcher session = Pattern.compile("JSESSIONID=([^;,]+)").matcher(String.valueOf(response.header("Set-Cookie")));
        assertThat(session.find()).as("a session cookie in " + response.headers()).isTrue();
        return "JSESSIONID=" + session.group(1);
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
