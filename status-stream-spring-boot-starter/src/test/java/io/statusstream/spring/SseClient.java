package io.statusstream.spring;

import io.statusstream.core.testing.ManualStreamScheduler;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real Server-Sent Events client for tests: the JDK's HTTP client reading the body line by line, parsed as the
 * WHATWG HTML standard says (fields {@code id}, {@code event}, {@code data}, {@code retry}; comments ignored; an event
 * is dispatched at a blank line). Each connection reads on its own daemon thread into a queue the test polls with a
 * timeout.
 */
final class SseClient {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private final int port;
    private final Runnable dueTasks;

    /**
     * @param scheduler the engines' scheduler: while a request waits for its response, the client runs the engine's
     *                  due tasks (the first fetch of new keys), as the engine's poller thread would
     */
    SseClient(int port, ManualStreamScheduler scheduler) {
        this.port = port;
        this.dueTasks = scheduler::runDue;
    }

    /** For engines on their own poller thread: nothing to drive while waiting. */
    SseClient(int port) {
        this.port = port;
        this.dueTasks = () -> {
        };
    }

    /** One received field group: an event, or a lone {@code retry} hint ({@code data} null). */
    record Event(String id, String type, String data, Long retry) {
    }

    /** Starts a request; the future completes when the response's headers arrive. */
    CompletableFuture<Connection> open(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).thenApply(Connection::new);
    }

    CompletableFuture<Connection> open(String path) {
        return open(path, Map.of());
    }

    Connection connect(String path) {
        return connect(path, Map.of());
    }

    /** Opens a request and runs the engine's due tasks until its response headers arrive. */
    Connection connect(String path, Map<String, String> headers) {
        CompletableFuture<Connection> response = open(path, headers);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            dueTasks.run();
            try {
                return response.get(10, TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no response to " + path + " within " + TIMEOUT);
                }
            } catch (InterruptedException | ExecutionException failed) {
                throw new AssertionError(failed);
            }
        }
    }

    /** Repeats a step until the condition holds: writer threads act on each step asynchronously. */
    static void driveUntil(BooleanSupplier condition, Runnable step) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (condition.getAsBoolean()) {
                return true;
            }
            step.run();
            return false;
        });
    }

    /** An open response, read in the background. */
    static final class Connection implements AutoCloseable {

        /** Put on the queue when the server ends the stream. */
        static final Event END = new Event(null, "<end>", null, null);

        private final HttpResponse<Stream<String>> response;
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final List<String> body = new ArrayList<>();

        Connection(HttpResponse<Stream<String>> response) {
            this.response = response;
            Thread reader = new Thread(this::read, "sse-client-" + response.uri().getPath());
            reader.setDaemon(true);
            reader.start();
        }

        int status() {
            return response.statusCode();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /** The next event or retry hint, waiting up to the test timeout. */
        Event next() {
            try {
                Event event = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (event == null) {
                    throw new AssertionError("no event within " + TIMEOUT + " from " + response.uri());
                }
                return event;
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError(interrupted);
            }
        }

        /** The next event with data, skipping retry hints. */
        Event nextEvent() {
            Event event;
            do {
                event = next();
            } while (event.data() == null && event != END);
            return event;
        }

        /** The next data event, skipping retry hints and {@code ping} heartbeats. */
        Event nextMessage() {
            Event event;
            do {
                event = nextEvent();
            } while ("ping".equals(event.type()));
            return event;
        }

        /** Whether an event arrives within a short wait; for asserting that nothing was sent. */
        Event poll(Duration wait) throws InterruptedException {
            return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** The whole body of a non-stream response (an error), once the server ended it. */
        String bodyText() {
            Event end = next();
            if (end != END) {
                throw new AssertionError("expected the body to end, got " + end);
            }
            synchronized (body) {
                return String.join("\n", body);
            }
        }

        private void read() {
            String id = null;
            String type = null;
            StringBuilder data = null;
            Long retry = null;
            try (Stream<String> lines = response.body()) {
                Iterator<String> it = lines.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    synchronized (body) {
                        body.add(line);
                    }
                    if (line.isEmpty()) {
                        if (data != null || retry != null) {
                            events.add(new Event(id, type == null ? "message" : type,
                                    data == null ? null : data.toString(), retry));
                        }
                        type = null;
                        data = null;
                        retry = null;
                        continue;
                    }
                    if (line.startsWith(":")) {
                        continue;
                    }
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> type = value;
                        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        case "retry" -> retry = Long.valueOf(value);
                        default -> {
                        }
                    }
                }
            } catch (UncheckedIOException | IllegalStateException closed) {
                // The test closed the connection, or the server cut it: the stream ends either way.
            }
            events.add(END);
        }

        /** Disconnects, as a browser tab closing. */
        @Override
        public void close() {
            response.body().close();
        }
    }
}
