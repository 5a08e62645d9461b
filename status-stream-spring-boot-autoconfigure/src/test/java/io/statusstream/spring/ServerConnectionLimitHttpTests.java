package io.statusstream.spring;

import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.spring.TestApplication.Bot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library's admission limit below the container's: Tomcat here accepts 8 connections, the library is set to allow
 * 20 streams. Without the alignment the 9th client waits unanswered in the accept queue; with it,
 * every client beyond the streams' share gets a 503 with {@code Retry-After}, and its connection is closed so that the
 * next waiting client is answered too.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.tomcat.max-connections=8",
        "server.tomcat.accept-count=32",
        "status-stream.max-connections=20"})
@DirtiesContext
class ServerConnectionLimitHttpTests {

    private static final String STREAM = "/api/v1/bots/1/status-stream";
    /** 8 connections, less the reserve of one for the application's other requests. */
    private static final int STREAMS = 7;
    private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(10);

    @LocalServerPort
    int port;
    @Autowired
    ManualStreamScheduler scheduler;
    @Autowired
    InMemoryStateSource<Long, Bot> source;
    @Autowired
    ConnectionLimiter limiter;

    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void aBot() {
        source.put(1L, new Bot("one", "running"));
    }

    @AfterEach
    void closeAll() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        Drive.until(() -> limiter.openConnections() == 0,
                () -> scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL));
    }

    @Test
    void aConfiguredLimitAboveTomcatsIsLoweredBelowItWithOneWarning(CapturedOutput output) {
        assertThat(limiter.maxConnections()).isEqualTo(STREAMS);
        assertThat(output.getAll()).containsOnlyOnce("WARN").containsOnlyOnce("status-stream.max-connections (20) is"
                + " not below Tomcat's own connection limit (8): stream requests are limited to 7");
    }

    @Test
    void everyClientBeyondTheContainersLimitIsAnswered503WithRetryAfterInsteadOfHanging() throws IOException {
        for (int i = 0; i < STREAMS; i++) {
            assertThat(statusLine(request(STREAM))).as("stream %d", i + 1).startsWith("HTTP/1.1 200");
        }
        // Five more clients at once: one fits Tomcat's last connection, four wait in its accept queue. None closes
        // its connection after the answer, as a browser keeping it alive would not.
        List<Socket> beyond = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            beyond.add(request(STREAM));
        }
        for (Socket client : beyond) {
            String response = head(client);
            assertThat(response).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After:")
                    .containsIgnoringCase("Connection: close");
        }
        assertThat(limiter.openConnections()).isEqualTo(STREAMS);
    }

    private Socket request(String path) throws IOException {
        Socket socket = new Socket("localhost", port);
        sockets.add(socket);
        socket.setSoTimeout((int) ANSWERED_WITHIN.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** A stream's status line: it comes once the first poll (on the test's manual scheduler) has loaded the key. */
    private String statusLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        Drive.until(() -> available(in) > 0, scheduler::runDue);
        String head = head(socket);
        return head.substring(0, head.indexOf('\r'));
    }

    private static int available(InputStream in) {
        try {
            return in.available();
        } catch (IOException closed) {
            return 1;
        }
    }

    /** The response's status line and headers; a read timeout (no answer) fails the test. */
    private static String head(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
