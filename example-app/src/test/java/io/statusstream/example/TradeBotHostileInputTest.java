package io.statusstream.example;

import io.statusstream.example.RawHttp.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile requests against the secured example, sent byte for byte: each gets a clear status with a problem (or
 * plain) body and never a stack trace, a stream never serves a key its user may not see, and a bad
 * {@code Last-Event-ID} only means a snapshot. alice owns bots 1-4, bob 5-7.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tradebot.simulator.enabled=false",
        // Streams this test cuts are found dead by the next heartbeat; the limits have their own tests.
        "status-stream.max-connections-per-principal=100000"})
class TradeBotHostileInputTest {

    static final Set<String> ALICES_BOTS = Set.of("1", "2", "3", "4");

    @LocalServerPort
    int port;

    RawHttp http;
    /** alice's session cookie: a browser's login, as {@code EventSource} sends it. */
    String alice;

    @BeforeEach
    void logIn() throws IOException {
        http = new RawHttp(port);
        alice = http.login("alice");
    }

    @Test
    void malformedKeysAreRefusedWith400AndNoStackTrace() throws IOException {
        List<String> keys = List.of("%20", "abc", "1.5", "-1", "0x10", "1e3", "9223372036854775808",
                "1%3BDROP%20TABLE%20bot_states", "1'%20OR%20'1'%3D'1", "1)%20OR%20(1%3D1", "%00", "%0d%0aX-Injected:%20yes",
                "%F0%9F%98%80", "%C3%A9", "%E2%80%AE1", "1%2C2", "..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "1%2F..%2F5",
                "1;jsessionid=x", "%", "%zz", "\\", "1%5C..%5C5");
        for (String key : keys) {
            Response single = http.get("/api/v1/bots/" + key + "/status-stream", alice);
            assertCleanRefusal(single, key, 400, 404);
            // In a list, blanks between commas are skipped and "1%2C2" is a list: a stream of alice's bots is fine.
            assertCleanRefusalOrOwnStream(http.get("/api/v1/bots/status-stream?ids=" + key, alice), key);
            assertCleanRefusalOrOwnStream(http.get("/api/v1/bots/status-stream?ids=1," + key, alice), key);
        }
    }

    @Test
    void emptyHugeDuplicatedAndTooManyKeysGetClearAnswers() throws IOException {
        assertCleanRefusal(http.get("/api/v1/bots/status-stream?ids=", alice), "empty", 400);
        assertCleanRefusal(http.get("/api/v1/bots/status-stream?ids=,,,", alice), "commas", 400);
        assertCleanRefusal(http.get("/api/v1/bots/status-stream", alice), "no ids", 400);
        String huge = "1".repeat(10 * 1024);
        assertCleanRefusal(http.get("/api/v1/bots/" + huge + "/status-stream", alice), "10 KB key", 400);
        assertCleanRefusal(http.get("/api/v1/bots/status-stream?ids=" + huge, alice), "10 KB key", 400);
        String tenThousand = IntStream.rangeClosed(1, 10_000).mapToObj(String::valueOf)
                .collect(Collectors.joining(","));
        assertCleanRefusal(http.get("/api/v1/bots/status-stream?ids=" + tenThousand, alice), "10,000 keys", 400);
        String hundredAndOne = IntStream.rangeClosed(1, 101).mapToObj(String::valueOf)
                .collect(Collectors.joining(","));
        Response tooMany = http.get("/api/v1/bots/status-stream?ids=" + hundredAndOne, alice);
        assertCleanRefusal(tooMany, "101 keys", 400);
        assertThat(tooMany.body()).contains("too many keys");

        Response duplicated = http.get("/api/v1/bots/status-stream?ids=1,1,1&ids=1", alice);
        assertThat(duplicated.status()).isEqualTo(200);
        assertThat(duplicated.body()).contains("\"key\":\"1\"");
        // One spelling per key (KeyParsers.asciiLong()): no sign, no leading zero, no digits of other scripts.
        for (String otherSpelling : List.of("01", "%2B1", "%EF%BC%91", "%D9%A1")) {
            assertCleanRefusal(http.get("/api/v1/bots/status-stream?ids=" + otherSpelling, alice), otherSpelling, 400);
        }
    }

    @Test
    void anotherUsersBotIs403AndProbingRevealsNoMoreThanThePolicySays() throws IOException {
        Response foreign = http.get("/api/v1/bots/5/status-stream", alice);
        assertCleanRefusal(foreign, "bob's bot", 403);
        assertCleanRefusal(http.get("/api/v1/bots/status-stream?ids=1,5", alice), "mixed", 403);
        // The example's policy answers 404 for a bot that does not exist and 403 for another user's bot (README);
        // beyond the status, nothing about the bot or its owner is revealed.
        assertThat(foreign.body()).doesNotContain("bob", "Scalper", "BTCUSDT", "5");
        Response unknown = http.get("/api/v1/bots/99/status-stream", alice);
        assertCleanRefusal(unknown, "unknown", 404);
        assertCleanRefusal(http.get("/api/v1/bots/status-stream?ids=5,99", alice), "foreign and unknown", 404);
        assertCleanRefusal(http.get("/api/v1/bots/1/status-stream"), "no login", 401);
        assertCleanRefusal(http.get("/api/v1/bots/1/status-stream", "Authorization: Basic bWFsbG9yeTp4"), "bad login",
                401);
        assertThat(http.get("/api/v1/bots/5/status-stream", RawHttp.basic("alice")).status())
                .as("HTTP Basic gets the same answers").isEqualTo(403);
    }

    @Test
    void aMalformedHugeForeignOrFutureLastEventIdOnlyMeansASnapshot() throws IOException {
        Response first = http.get("/api/v1/bots/1/status-stream", alice);
        String id = first.events().get(0).lastEventId();
        String epoch = id.substring(0, id.indexOf('-'));
        List<String> ids = List.of("abc", "-", "--", epoch + "-", epoch + "--1", epoch + "-999999999999",
                epoch + "-99999999999999999999999", epoch + "-1.5", "zzzzzz-1", "x".repeat(7000), epoch + "-01",
                epoch + "-+1", "\u00e9-1");
        for (String lastEventId : ids) {
            Response header = http.get("/api/v1/bots/1/status-stream", alice, "Last-Event-ID: " + lastEventId);
            assertThat(header.status()).as(lastEventId).isEqualTo(200);
            assertThat(header.body()).as(lastEventId).contains("\"kind\":\"snapshot\"");
            Response parameter = http.get("/api/v1/bots/1/status-stream?lastEventId="
                    + URLEncoder.encode(lastEventId, StandardCharsets.UTF_8), alice);
            assertThat(parameter.status()).as(lastEventId).isEqualTo(200);
            assertThat(parameter.body()).as(lastEventId).contains("\"kind\":\"snapshot\"");
            }
    }

    @Test
    void headerFloodsAreRefusedByTheServersLimits() throws IOException {
        String[] many = IntStream.range(0, 200).mapToObj(i -> "X-Flood-" + i + ": " + i).toArray(String[]::new);
        String[] withLogin = new String[many.length + 1];
        System.arraycopy(many, 0, withLogin, 1, many.length);
        withLogin[0] = alice;
        assertCleanRefusal(http.get("/api/v1/bots/1/status-stream", withLogin), "200 headers", 400);
        assertCleanRefusal(http.get("/api/v1/bots/1/status-stream", alice, "X-Big: " + "y".repeat(20_000)),
                "20 KB header", 400, 431);
        assertCleanRefusal(http.get("/api/v1/bots/1/status-stream", alice, "Last-Event-ID: " + "9".repeat(20_000)),
                "20 KB Last-Event-ID", 400, 431);
    }

    /**
     * Thousands of generated key lists (seeded, so a failure reproduces): digits, signs, separators, escapes, SQL and
     * path fragments, non-ASCII, long runs. Each gets a clean refusal or a stream of alice's bots only.
     */
    @Test
    void generatedKeyListsGetACleanRefusalOrAStreamOfTheUsersOwnBotsOnly() throws IOException {
        Random random = new Random(20261124L);
        String[] pieces = {"1", "2", "3", "4", "5", "7", "99", "0", "00", "-", "+", ",", ",,", "%2C", "%20", "%00",
                "%2F", "..", "'", "%27", ";", "%3B", "OR", "%25", "%C3%A9", "%D9%A1", "%F0%9F%98%80", "9".repeat(25),
                "e", "x", ".", "%0A", "%7B", "%22"};
        for (int i = 0; i < 2_000; i++) {
            StringBuilder key = new StringBuilder();
            for (int n = 1 + random.nextInt(6); n > 0; n--) {
                key.append(pieces[random.nextInt(pieces.length)]);
            }
            String ids = key.toString();
            Response response = random.nextBoolean()
                    ? http.get("/api/v1/bots/status-stream?ids=" + ids, alice)
                    : http.get("/api/v1/bots/" + ids + "/status-stream", alice);
            assertCleanRefusalOrOwnStream(response, ids);
        }
    }

    private void assertCleanRefusalOrOwnStream(Response response, String input) {
        if (response.status() == 200) {
            String streamed = response.body().replaceAll("(?s).*\"key\":\"([^\"]*)\".*", "$1");
            assertThat(ALICES_BOTS).as("%s streamed %s", input, response.body()).contains(streamed);
        } else {
            assertCleanRefusal(response, input, 400, 403, 404);
        }
    }

    private void assertCleanRefusal(Response response, String input, int... statuses) {
        assertThat(response.status()).as("status for %s: %s", input, response).isIn(box(statuses));
        assertThat(response.body()).as("body for %s", input)
                .doesNotContain("Exception", "\tat ", "at org.", "at io.", "at java.", "Whitelabel", "Caused by");
        if (!response.body().isBlank()) {
            assertThat(response.header("Content-Type")).as("type for %s: %s", input, response)
                    .satisfiesAnyOf(type -> assertThat(type).startsWith("application/problem+json"),
                            type -> assertThat(type).startsWith("text/plain"),
                            type -> assertThat(type).startsWith("text/html"));
        }
    }

    private static Object[] box(int[] values) {
        return IntStream.of(values).boxed().toArray();
    }
}
