package io.statusstream.benchmarks.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.concurrent.Flow;

/**
 * One SSE stream of the load client: remembers the last {@code version} seen and hands each change's
 * {@code writtenAtMicros} to the {@link LatencyRecorder}. Without {@link Reconnects} it is one response, as the
 * load benchmark's streams are; with them it behaves like the browser client: when a response ends (an
 * {@code end} event, the server closing it, a refused or failed request) it waits the stream's {@code retry:} hint
 * (or a 503's {@code Retry-After}) and opens the stream again, with its {@code Last-Event-ID}, on an instance
 * {@link Reconnects} chooses, as a load balancer would.
 *
 * <p>Lines of one response arrive one at a time (the JDK client serialises {@code onNext}), and responses follow
 * each other; the fields read by other threads are volatile.
 */
final class StreamConnection {

    /** The version the runner's final write sets on every row: a client that has it ends at the final state. */
    static final long FINAL_VERSION = 1_000_000_000L;
    /** How long to wait before trying again after a failed request without any hint (connection refused). */
    private static final long FALLBACK_RETRY_MILLIS = 1000;

    private final LatencyRecorder recorder;
    private final Runnable onFirstLine;
    private final Reconnects reconnects;
    private final String path;
    private volatile boolean firstLine;
    private volatile long lastVersion = -1;
    private volatile boolean ended;
    private volatile String lastEventId;
    private volatile long retryMillis = FALLBACK_RETRY_MILLIS;
    /** Requests made so far; attempts follow each other, never overlap. */
    private volatile int attempts;

    /**
     * @param path       the stream's URL template with {@code {key}} already replaced, relative to an instance: the
     *                   whole URL when there are no reconnects
     * @param reconnects where to reconnect to, or {@code null} for a single response
     */
    StreamConnection(LatencyRecorder recorder, Runnable onFirstLine, String path, Reconnects reconnects) {
        this.recorder = recorder;
        this.onFirstLine = onFirstLine;
        this.path = path;
        this.reconnects = reconnects;
    }

    /** Opens the stream at {@code url}; with reconnects, later attempts go where {@link Reconnects} says. */
    void open(HttpClient http, String url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        String id = lastEventId;
        if (id != null) {
            request.header("Last-Event-ID", id);
        }
        Response response = new Response(attempts++ > 0);
        http.sendAsync(request.build(), BodyHandlers.fromLineSubscriber(response))
                .whenComplete((answer, failure) -> responseEnded(http, response, answer, failure));
    }

    private void responseEnded(HttpClient http, Response response, HttpResponse<?> answer, Throwable failure) {
        if (!firstLine) {
            firstLine = true;
            onFirstLine.run();
        }
        ended = true;
        if (reconnects == null) {
            return;
        }
        int status = answer == null ? -1 : answer.statusCode();
        long delay = retryMillis;
        if (status == 200) {
            reconnects.ended(response.sawEnd);
        } else {
            reconnects.refused(status);
            if (status == 503 || status == 429) {
                delay = answer.headers().firstValueAsLong("Retry-After").orElse(1) * 1000;
            }
        }
        reconnects.schedule(() -> open(http, reconnects.nextInstance() + path), delay);
    }

    boolean hasFirstLine() {
        return firstLine;
    }

    boolean reachedFinalVersion() {
        return lastVersion == FINAL_VERSION;
    }

    boolean hasEnded() {
        return ended;
    }

    /** One response's lines. */
    private final class Response implements Flow.Subscriber<String> {

        private final boolean reconnect;
        private boolean started;
        private volatile boolean sawEnd;

        Response(boolean reconnect) {
            this.reconnect = reconnect;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (!firstLine) {
                firstLine = true;
                onFirstLine.run();
            }
            if (line.startsWith("retry: ")) {
                retryMillis = Long.parseLong(line.substring(7).trim());
                if (!started && reconnect && reconnects != null) {
                    // A stream's first line is its retry hint: the reconnection succeeded.
                    reconnects.reconnected();
                }
                started = true;
                return;
            }
            if (line.startsWith("id: ")) {
                lastEventId = line.substring(4);
                return;
            }
            if (line.equals("event: end")) {
                sawEnd = true;
                return;
            }
            // "data: {" from the library, "data:{" from Spring's SseEmitter in the baseline; pings have empty data.
            if (!line.startsWith("data:") || line.indexOf('{') < 0 || line.indexOf('{') > 6
                    || line.contains("\"reason\":")) {
                return;
            }
            long version = longField(line, "\"version\":");
            lastVersion = version;
            if (version != FINAL_VERSION && !line.contains("\"kind\":\"snapshot\"")) {
                recorder.record(longField(line, "\"writtenAtMicros\":"));
            }
        }

        @Override
        public void onError(Throwable failure) {
            // The response's future completes exceptionally too: handled there.
        }

        @Override
        public void onComplete() {
            // Handled when the response's future completes.
        }
    }

    /** Reads a non-negative JSON integer after {@code name}; the payload is ours, so no general parser is needed. */
    private static long longField(String line, String name) {
        int at = line.indexOf(name);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        for (int i = at + name.length(); i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
