package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.spring.TestApplication.Bot;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter with real Spring Security over real HTTP: the JavaScript client for everyone, cacheable with
 * validation; stream requests without a login answered 401 with a challenge (never a login redirect, which an
 * {@code EventSource} would follow into an HTML page); streams open with a form login's session and with HTTP Basic;
 * and the starter's own chain never takes the place of the application's or Boot's.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StatusStreamSecurityHttpTests {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Nested
    @SpringBootTest(classes = SecuredApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = {"spring.autoconfigure.exclude=", "test.app-chain=true"})
    class WithTheApplicationsOwnChain {

        @LocalServerPort
        int port;
        @Autowired
        ManualStreamScheduler scheduler;
        @Autowired
        InMemoryStateSource<Long, Bot> source;

        @Test
        void anyoneGetsTheClientWithAnEtagAndUnchangedItCostsA304() throws Exception {
            HttpResponse<String> first = get(port, StatusStreamSecurity.CLIENT_PATH, Map.of());
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).contains("export function openStatusStream");
            String etag = first.headers().firstValue("ETag").orElseThrow();
            assertThat(etag).matches("\"[0-9a-f]{32}\"");
            assertThat(first.headers().allValues("Cache-Control")).as("kept, revalidated on every use")
                    .containsExactly("no-cache");
            assertThat(first.headers().firstValue("Pragma")).isEmpty();
            assertThat(first.headers().firstValue("Set-Cookie")).as("no session for a static file").isEmpty();

            HttpResponse<String> again = get(port, StatusStreamSecurity.CLIENT_PATH, Map.of("If-None-Match", etag));
            assertThat(again.statusCode()).isEqualTo(304);
            assertThat(again.body()).isEmpty();
            assertThat(again.headers().firstValue("ETag")).contains(etag);
        }

        @Test
        void aStreamWithoutALoginIs401WithASessionChallengeNotARedirectToTheLoginPage() throws Exception {
            for (String path : new String[] {"/api/v1/bots/1/status-stream", "/api/v1/bots/status-stream?ids=1,2"}) {
                HttpResponse<String> refused = get(port, path, Map.of("Accept", "text/event-stream"));
                assertThat(refused.statusCode()).as(path).isEqualTo(401);
                assertThat(refused.headers().firstValue("WWW-Authenticate")).as(path).contains("Session");
                assertThat(refused.headers().firstValue("Location")).as(path).isEmpty();
                assertThat(refused.headers().firstValue("Content-Type")).as(path)
                        .contains("application/problem+json");
                assertThat(refused.body()).as(path).contains("\"status\":401");
            }
        }

        @Test
        void pagesStillRedirectToTheLoginFormAndApiClientsStillGetTheBasicChallenge() throws Exception {
            HttpResponse<String> page = get(port, "/", Map.of("Accept", "text/html"));
            assertThat(page.statusCode()).isEqualTo(302);
            assertThat(page.headers().firstValue("Location")).hasValueSatisfying(
                    location -> assertThat(location).endsWith("/login"));

            HttpResponse<String> wrongPassword = get(port, "/api/v1/bots/1/status-stream",
                    Map.of("Authorization", basic("alice", "wrong")));
            assertThat(wrongPassword.statusCode()).isEqualTo(401);
            assertThat(wrongPassword.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Basic "));
        }

        @Test
        void aFormLoginsSessionCookieOpensTheStream() throws Exception {
            source.put(11L, new Bot("eleven", "RUNNING"));
            String cookie = formLogin(port, "alice");
            try (TestStream stream = client(port, scheduler).withHeader("Cookie", cookie)
                    .open("/api/v1/bots/11/status-stream")) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.expectSnapshot("11").state()).contains("eleven");
            }
            try (TestStream bobs = client(port, scheduler).withHeader("Cookie", formLogin(port, "bob"))
                    .open("/api/v1/bots/11/status-stream")) {
                assertThat(bobs.status()).as("logged in, but the policy says no").isEqualTo(403);
            }
        }

        @Test
        void httpBasicOpensTheStream() {
            source.put(12L, new Bot("twelve", "RUNNING"));
            try (TestStream stream = client(port, scheduler).withBasicAuth("alice", "alice")
                    .open("/api/v1/bots/12/status-stream")) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.expectSnapshot("12").state()).contains("twelve");
            }
        }
    }

    @Nested
    @SpringBootTest(classes = SecuredApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = {"spring.autoconfigure.exclude=", "test.app-chain=true",
                    "status-stream.security.permit-client=false"})
    class WithTheClientChainTurnedOff {

        @LocalServerPort
        int port;

        @Test
        void theClientIsGuardedByTheApplicationsChainLikeEverythingElse() throws Exception {
            HttpResponse<String> refused = get(port, StatusStreamSecurity.CLIENT_PATH, Map.of("Accept", "*/*"));
            assertThat(refused.statusCode()).isEqualTo(401);

            HttpResponse<String> loggedIn = get(port, StatusStreamSecurity.CLIENT_PATH,
                    Map.of("Authorization", basic("alice", "alice")));
            assertThat(loggedIn.statusCode()).isEqualTo(200);
            assertThat(loggedIn.headers().allValues("Cache-Control")).as("the client's own, not Spring Security's")
                    .containsExactly("no-cache");
            assertThat(loggedIn.headers().firstValue("ETag")).isPresent();
        }
    }

    @Nested
    @SpringBootTest(classes = SecuredApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = "spring.autoconfigure.exclude=")
    class WithBootsDefaultChain {

        @LocalServerPort
        int port;
        @Autowired
        ManualStreamScheduler scheduler;
        @Autowired
        InMemoryStateSource<Long, Bot> source;

        @Test
        void theClientIsPublicAndEverythingElseStillNeedsALogin() throws Exception {
            assertThat(get(port, StatusStreamSecurity.CLIENT_PATH, Map.of()).statusCode()).isEqualTo(200);

            HttpResponse<String> stream = get(port, "/api/v1/bots/1/status-stream",
                    Map.of("Accept", "text/event-stream"));
            assertThat(stream.statusCode()).as("Boot's default chain did not back off").isIn(401, 302);

            source.put(13L, new Bot("thirteen", "RUNNING"));
            try (TestStream allowed = client(port, scheduler).withBasicAuth("alice", "alice")
                    .open("/api/v1/bots/13/status-stream")) {
                assertThat(allowed.status()).isEqualTo(200);
                assertThat(allowed.expectSnapshot("13").state()).contains("thirteen");
            }
        }
    }

    static StatusStreamClient client(int port, ManualStreamScheduler scheduler) {
        return StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue);
    }

    static HttpResponse<String> get(int port, String path, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10));
        headers.forEach(request::header);
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in through Spring Security's generated login form, as a browser does; returns the session cookie. */
    private static String formLogin(int port, String user) throws IOException, InterruptedException {
        HttpResponse<String> form = get(port, "/login", Map.of("Accept", "text/html"));
        String session = cookie(form, "JSESSIONID");
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(form.body());
        assertThat(csrf.find()).as("a CSRF token in the login form").isTrue();
        HttpResponse<String> loggedIn = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/login")).timeout(Duration.ofSeconds(10))
                .header("Cookie", session).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password=" + user + "&_csrf="
                        + csrf.group(1))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(loggedIn.statusCode()).as("login of " + user).isEqualTo(302);
        assertThat(loggedIn.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
        return cookie(loggedIn, "JSESSIONID");
    }

    private static String cookie(HttpResponse<?> response, String name) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            if (header.startsWith(name + "=")) {
                return header.substring(0, header.indexOf(';'));
            }
        }
        throw new AssertionError("no cookie " + name + " in " + response.headers().map());
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
