package io.statusstream.example;

import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream ends when its user's session does, with real Spring Security: logging out through the login form's
 * logout ends the streams opened in that session with {@code event: end} and reason {@code logged-out}, so the
 * browser client stops instead of reconnecting into the login page; another session's stream of the same bot goes on.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tradebot.simulator.enabled=false",
        "status-stream.poll-interval=1h"})
class TradeBotStreamEndTest {

    @LocalServerPort
    int port;

    @Test
    void loggingOutEndsThatSessionsStreamsWithLoggedOut() throws IOException {
        RawHttp raw = new RawHttp(port);
        String session = raw.login("alice").substring("Cookie: ".length());
        String otherSession = raw.login("alice").substring("Cookie: ".length());
        try (TestStream stream = StatusStreamClient.forPort(port).withHeader("Cookie", session)
                .open("/api/v1/bots/1/status-stream");
             TestStream other = StatusStreamClient.forPort(port).withHeader("Cookie", otherSession)
                     .open("/api/v1/bots/1/status-stream")) {
            stream.expectSnapshot("1");
            other.expectSnapshot("1");

            // The SPA's CSRF token is a cookie echoed in a header; any value does, as long as both agree.
            RawHttp.Response logout = raw.post("/logout", "Cookie: " + session + "; XSRF-TOKEN=t", "X-XSRF-TOKEN: t",
                    "Accept: text/html");
            assertThat(logout.status()).isEqualTo(302);

            stream.expectEnd("logged-out");
            assertThat(stream.awaitEnd().ended()).isTrue();
            assertThat(other.ended()).as("another session of the same user").isFalse();
        }
    }
}
