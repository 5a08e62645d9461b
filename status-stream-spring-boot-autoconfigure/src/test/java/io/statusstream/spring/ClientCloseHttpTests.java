package io.statusstream.spring;

import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.spring.TestApplication.Bot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that closed idle streams, politely (FIN) or abruptly (RST), never cost anybody a place: a request over a
 * limit first probes the streams holding the places it wants, and the closed ones give theirs back. (A servlet
 * container does not see a client close an idle stream: nothing is read once the request has been, and only a
 * failed write finds the client gone. Before, a closed stream kept its place until a heartbeat's write failed, up
 * to about a minute: a user who opened short streams one after another was refused with 429 though never more than
 * one was open.) The engine's time stands still here (a manual scheduler: no heartbeat, no poll), so only the probe
 * can find them.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "status-stream.max-connections=3",
        "status-stream.max-connections-per-principal=2"})
class ClientCloseHttpTests {

    private static final Duration FOUND_WITHIN = Duration.ofSeconds(5);
    private static final String ALICE_STREAM = "/status-streams/orders/1/status-stream";
    private static final String PUBLIC_STREAM = "/api/v1/bots/1/status-stream";

    @LocalServerPort
    int port;
    @Autowired
    InMemoryStateSource<Long, Bot> source;
    @Autowired
    StatusStreams streams;
    @Autowired
    StatusStreamHandlerMapping endpoints;
    @Autowired
    ManualStreamScheduler scheduler;

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
        // The places of this test's streams are found free by the next test's probes; start from none.
        await().atMost(FOUND_WITHIN).until(() -> {
            probeEveryOpenStream();
            return endpoints.openConnections() == 0;
        });
    }

    @Test
    void aUserWhoseStreamsWereClosedPolitelyGetsANewOneAtTheLimit() throws IOException {
        openStream(ALICE_STREAM, "alice").close();
        openStream(ALICE_STREAM, "alice").close();

        assertThat(response(ALICE_STREAM, "alice")).startsWith("HTTP/1.1 200");
    }

    @Test
    void aUserWhoseStreamsWereResetGetsANewOneAtTheLimit() throws IOException {
        reset(openStream(ALICE_STREAM, "alice"));
        reset(openStream(ALICE_STREAM, "alice"));

        assertThat(response(ALICE_STREAM, "alice")).startsWith("HTTP/1.1 200");
    }

    @Test
    void shortStreamsOneAfterAnotherAreNeverRefused() throws IOException {
        for (int i = 0; i < 32; i++) {
            openStream(ALICE_STREAM, "alice").close();
        }
        assertThat(streams.get("orders").stats().subscribers()).as("the last one's, not yet found closed")
                .isLessThanOrEqualTo(2);
    }

    @Test
    void aUserReallyAtTheLimitIsStillRefusedAndTheirOpenStreamsAreUnharmed() throws IOException {
        Socket first = keep(openStream(ALICE_STREAM, "alice"));
        Socket second = keep(openStream(ALICE_STREAM, "alice"));

        assertThat(response(ALICE_STREAM, "alice")).startsWith("HTTP/1.1 429").contains("Retry-After");

        assertThat(endpoints.openConnections()).isEqualTo(2);
        assertThat(readPing(first)).contains("event: ping");
        assertThat(readPing(second)).contains("event: ping");
    }

    @Test
    void aClosedStreamOfAnotherUserFreesItsPlaceUnderTheGlobalLimit() throws IOException {
        keep(openStream(PUBLIC_STREAM, "alice"));
        keep(openStream(PUBLIC_STREAM, "alice"));
        openStream(PUBLIC_STREAM, "bob").close();

        assertThat(response(PUBLIC_STREAM, "carol")).startsWith("HTTP/1.1 200");
        assertThat(endpoints.openConnections()).isEqualTo(3);
    }

    private Socket keep(Socket socket) {
        sockets.add(socket);
        return socket;
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Opens a stream and returns the start of its response: the status line, and the snapshot if it is a stream. */
    private String response(String path, String user) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            return readUntilSnapshotOrEnd(socket, path, user);
        }
    }

    private void probeEveryOpenStream() {
        scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL);
    }

    /** Opens a stream and reads up to the end of its snapshot, running the engine's due tasks meanwhile. */
    private Socket openStream(String path, String user) throws IOException {
        Socket socket = new Socket("localhost", port);
        String received = readUntilSnapshotOrEnd(socket, path, user);
        if (!received.startsWith("HTTP/1.1 200")) {
            socket.close();
            throw new AssertionError("stream refused: " + received);
        }
        return socket;
    }

    private String readUntilSnapshotOrEnd(Socket socket, String path, String user) throws IOException {
        socket.setSoTimeout(20);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nX-User: " + user
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder received = new StringBuilder();
        long deadline = System.nanoTime() + FOUND_WITHIN.toNanos();
        while (!endOfSnapshot(received.toString()) && !endOfProblem(received.toString())) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no answer in time: " + received.toString().replace("\r\n", "|"));
            }
            try {
                int read = in.read();
                if (read < 0) {
                    break;
                }
                received.append((char) read);
            } catch (SocketTimeoutException nothingYet) {
                scheduler.runDue();
            }
        }
        return received.toString();
    }

    /** Reads from an open stream until a ping has come: a probe's heartbeat. */
    private String readPing(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder received = new StringBuilder();
        long deadline = System.nanoTime() + FOUND_WITHIN.toNanos();
        while (!received.toString().contains("event: ping")) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no ping in time: " + received);
            }
            try {
                int read = in.read();
                if (read < 0) {
                    throw new IOException("the server closed the stream: " + received);
                }
                received.append((char) read);
            } catch (SocketTimeoutException nothingYet) {
                scheduler.runDue();
            }
        }
        return received.toString();
    }

    private static boolean endOfProblem(String received) {
        return received.startsWith("HTTP/1.1 4") || received.startsWith("HTTP/1.1 5")
                ? received.endsWith("}") : false;
    }

    private static boolean endOfSnapshot(String received) {
        int snapshot = received.indexOf("\"kind\":\"snapshot\"");
        return snapshot >= 0 && received.indexOf("\n\n", snapshot) > 0;
    }
}
