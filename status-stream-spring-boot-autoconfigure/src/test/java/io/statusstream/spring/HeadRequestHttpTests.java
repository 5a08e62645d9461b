package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.spring.TestApplication.Bot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code HEAD} on a stream URL, as an uptime checker sends it: the stream's headers after the same checks as a
 * {@code GET}, and nothing left behind — no subscription, no permit — however many are sent and however the client
 * leaves. (Nothing is ever written to a {@code HEAD} response, so a subscription for one would never find its client
 * gone.)
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "status-stream.max-connections-per-principal=2")
class HeadRequestHttpTests {

    @LocalServerPort
    int port;
    @Autowired
    InMemoryStateSource<Long, Bot> source;
    @Autowired
    StatusStreams streams;
    @Autowired
    StatusStreamHandlerMapping endpoints;

    @Test
    void headGetsTheStreamsHeadersAndLeavesNoSubscriptionOrPermitBehind() throws IOException {
        source.put(1L, new Bot("one", "running"));

        for (int i = 0; i < 40; i++) {
            String response = exchange("HEAD /status-streams/orders/1/status-stream HTTP/1.1\r\nHost: localhost\r\nX-User: alice\r\n"
                    + "Connection: close\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 200").containsIgnoringCase("Content-Type: text/event-stream")
                    .doesNotContain("data:");
        }

        assertThat(streams.get("orders").stats().subscribers()).isZero();
        assertThat(endpoints.openConnections()).isZero();
    }

    @Test
    void headIsCheckedLikeGet() throws IOException {
        assertThat(exchange("HEAD /status-streams/orders/1/status-stream HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 401");
        assertThat(exchange("HEAD /status-streams/orders/66/status-stream HTTP/1.1\r\nHost: localhost\r\nX-User: alice\r\n"
                + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 403");
        assertThat(exchange("HEAD /status-streams/orders/x/status-stream HTTP/1.1\r\nHost: localhost\r\nX-User: alice\r\n"
                + "Connection: close\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(streams.get("orders").stats().subscribers()).isZero();
    }

    /** Sends a raw request and reads the response to its end (the server closes: {@code Connection: close}). */
    private String exchange(String request) throws IOException {
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
}
