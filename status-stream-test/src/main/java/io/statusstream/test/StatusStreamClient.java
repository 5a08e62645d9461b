package io.statusstream.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens an application's status streams over real HTTP, as a browser's {@code EventSource} would: {@code GET} with
 * {@code Accept: text/event-stream}, the body read on a daemon thread of its own and parsed by core's WHATWG parser.
 *
 * <pre>{@code
 * @SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
 * class BotStreamTest {
 *     @LocalServerPort int port;
 *
 *     @Test
 *     void pushesAChangeAfterAWrite() {
 *         StatusStreamClient client = StatusStreamClient.forPort(port).withBasicAuth("alice", "alice");
 *         try (TestStream stream = client.open("/api/v1/bots/7/status-stream")) {
 *             stream.expectSnapshot("7");
 *             bots.start(7);
 *             assertThat(stream.expectChange("7").state()).contains("\"status\":\"running\"");
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe: each {@code with...} method returns a new client. Every wait is bounded by the
 * timeout (10 s unless set) and fails with an {@link AssertionError}; while waiting, the {@link #whileWaiting
 * whileWaiting} step runs, so a test whose streams use a manual clock
 * ({@link io.statusstream.core.testing.ManualStreamScheduler}) can let the engine do its due work (the first fetch of
 * new keys) while a request waits for its answer.
 */
public final class StatusStreamClient {

    /** How long every wait lasts unless {@link #withTimeout} says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(DEFAULT_TIMEOUT).build();

    private final URI base;
    private final Map<String, String> headers;
    private final Runnable whileWaiting;
    private final Duration timeout;

    private StatusStreamClient(URI base, Map<String, String> headers, Runnable whileWaiting, Duration timeout) {
        this.base = base;
        this.headers = Map.copyOf(headers);
        this.whileWaiting = whileWaiting;
        this.timeout = timeout;
    }

    /**
     * @param port the application's port ({@code @LocalServerPort})
     * @return a client of {@code http://localhost:<port>}
     */
    public static StatusStreamClient forPort(int port) {
        return forBaseUri(URI.create("http://localhost:" + port));
    }

    /**
     * @param base where paths are resolved, with the context path if there is one ({@code http://localhost:8080/app})
     * @return a client of that base
     */
    public static StatusStreamClient forBaseUri(URI base) {
        String text = base.toString();
        return new StatusStreamClient(URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text),
                Map.of(), () -> {
        }, DEFAULT_TIMEOUT);
    }

    /**
     * @param name  a header every request sends (a session cookie, say)
     * @param value its value
     * @return a client that sends it
     */
    public StatusStreamClient withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new StatusStreamClient(base, more, whileWaiting, timeout);
    }

    /**
     * @param user     the user name
     * @param password the password
     * @return a client that authenticates every request with HTTP Basic
     */
    public StatusStreamClient withBasicAuth(String user, String password) {
        return withHeader("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * @param step run on the test's thread between short waits, e.g. {@code scheduler::runDue} of a
     *             {@link io.statusstream.core.testing.ManualStreamScheduler} the application's streams use
     * @return a client that runs it while it waits
     */
    public StatusStreamClient whileWaiting(Runnable step) {
        return new StatusStreamClient(base, headers, Objects.requireNonNull(step, "step"), timeout);
    }

    /**
     * @param timeout the longest any wait lasts
     * @return a client with that timeout
     */
    public StatusStreamClient withTimeout(Duration timeout) {
        return new StatusStreamClient(base, headers, whileWaiting, timeout);
    }

    /**
     * Opens a stream and waits for the response's headers.
     *
     * @param pathAndQuery below the base, e.g. {@code /api/v1/bots/status-stream?ids=1,2}
     * @return the open stream (or refusal: see {@link TestStream#status()})
     * @throws AssertionError if no response arrives within the timeout
     */
    public TestStream open(String pathAndQuery) {
        return open(pathAndQuery, (String) null);
    }

    /**
     * Opens a stream as a reconnecting browser does.
     *
     * @param pathAndQuery below the base
     * @param lastEventId  sent as {@code Last-Event-ID}; {@code null} for none
     * @return the open stream
     * @throws AssertionError if no response arrives within the timeout
     */
    public TestStream open(String pathAndQuery, String lastEventId) {
        return open(pathAndQuery, lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId));
    }

    /**
     * Opens a stream with extra headers for this request only.
     *
     * @param pathAndQuery below the base
     * @param extraHeaders sent with this request
     * @return the open stream
     * @throws AssertionError if no response arrives within the timeout
     */
    public TestStream open(String pathAndQuery, Map<String, String> extraHeaders) {
        CompletableFuture<TestStream> response = openAsync(pathAndQuery, extraHeaders);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            whileWaiting.run();
            try {
                return response.get(10, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                if (System.nanoTime() > deadline) {
                    response.cancel(true);
                    throw new AssertionError("no response to " + pathAndQuery + " within " + timeout);
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError(interrupted);
            } catch (ExecutionException failed) {
                throw new AssertionError("request " + pathAndQuery + " failed", failed.getCause());
            }
        }
    }

    /**
     * Starts a request without waiting, for tests that open many at once.
     *
     * @param pathAndQuery below the base
     * @param extraHeaders sent with this request
     * @return completes with the stream when the response's headers arrive
     */
    public CompletableFuture<TestStream> openAsync(String pathAndQuery, Map<String, String> extraHeaders) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        extraHeaders.forEach(request::header);
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(response -> stream(response, pathAndQuery));
    }

    private TestStream stream(HttpResponse<InputStream> response, String pathAndQuery) {
        EventRecorder recorder = new EventRecorder(whileWaiting, timeout);
        InputStream body = response.body();
        Thread reader = new Thread(() -> read(body, recorder), "status-stream-test " + pathAndQuery);
        reader.setDaemon(true);
        reader.start();
        return new TestStream(response.statusCode(), response.headers().map(), recorder, () -> {
            try {
                body.close();
            } catch (IOException ignored) {
                // Closing is all that is asked; the reader thread ends either way.
            }
        }, lastEventId -> open(pathAndQuery, lastEventId));
    }

    private static void read(InputStream body, EventRecorder recorder) {
        char[] buffer = new char[8192];
        try (Reader in = new InputStreamReader(body, StandardCharsets.UTF_8)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                recorder.feed(new String(buffer, 0, n));
            }
            recorder.end("ended by the server");
        } catch (IOException | RuntimeException closed) {
            recorder.end("connection closed: " + closed);
        }
    }

    @Override
    public String toString() {
        return "StatusStreamClient[" + base + "]";
    }
}
