package io.statusstream.test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One open stream request as a test sees it: the response's status and headers, then the events, read in the
 * background as they arrive and interpreted as a browser's {@code EventSource} would.
 *
 * <p>The {@code next...} and {@code expect...} methods take events in order from a cursor (the test's position in
 * the stream), waiting up to the client's timeout and failing with an {@link AssertionError} that shows what did
 * arrive. {@link #events()} and {@link #latest()} look at everything received without moving the cursor.
 *
 * <p>Thread-safe for reading; the cursor is meant for the test's one thread. Close it (try-with-resources) to
 * disconnect, as a closed browser tab does.
 */
public final class TestStream implements AutoCloseable {

    private final int status;
    private final Map<String, List<String>> headers;
    private final EventRecorder recorder;
    private final Runnable disconnect;
    private final Function<String, TestStream> reopen;
    private int cursor;

    TestStream(int status, Map<String, List<String>> headers, EventRecorder recorder, Runnable disconnect,
               Function<String, TestStream> reopen) {
        this.status = status;
        this.headers = headers;
        this.recorder = recorder;
        this.disconnect = disconnect;
        this.reopen = reopen;
    }

    /** @return the response's status code: 200 for a stream, else a refusal with a problem body */
    public int status() {
        return status;
    }

    /**
     * @param name a header name, any case
     * @return the header's first value, or {@code null}
     */
    public String header(String name) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                return header.getValue().get(0);
            }
        }
        return null;
    }

    /**
     * The whole body, once the server ended the response: for a refusal, its problem JSON.
     *
     * @return the body's text
     * @throws AssertionError if the response does not end within the timeout
     */
    public String body() {
        if (!recorder.awaitEnd(recorder.timeout())) {
            throw new AssertionError("the response did not end within " + recorder.timeout() + "; received: "
                    + recorder.text());
        }
        return recorder.text();
    }

    /**
     * The next event, heartbeats included.
     *
     * @return the event
     * @throws AssertionError if none arrives within the timeout
     */
    public StreamEvent nextEvent() {
        if (!recorder.awaitCount(cursor, recorder.timeout())) {
            throw new AssertionError((recorder.ended() ? "the stream ended" : "no event within "
                    + recorder.timeout()) + " after " + recorder.events());
        }
        return recorder.events().get(cursor++);
    }

    /**
     * The next event if one arrives within the wait, heartbeats included; for asserting that nothing was sent.
     *
     * @param wait how long to wait; zero takes only what has arrived
     * @return the event, or {@code null}
     */
    public StreamEvent poll(Duration wait) {
        return recorder.awaitCount(cursor, wait) ? recorder.events().get(cursor++) : null;
    }

    /**
     * The next state event, skipping heartbeats.
     *
     * @return the event
     * @throws AssertionError if none arrives within the timeout
     */
    public StreamEvent next() {
        return nextMatching(event -> !event.isPing(), "a state event");
    }

    /**
     * The next heartbeat ({@code event: ping}), skipping state events.
     *
     * @return the heartbeat
     * @throws AssertionError if none arrives within the timeout
     */
    public StreamEvent nextPing() {
        return nextMatching(StreamEvent::isPing, "a ping");
    }

    /**
     * The next event that matches, skipping others.
     *
     * @param condition what the test waits for
     * @param what      the condition in words, for the failure message
     * @return the event
     * @throws AssertionError if none arrives within the timeout
     */
    public StreamEvent nextMatching(Predicate<StreamEvent> condition, String what) {
        long deadline = System.nanoTime() + recorder.timeout().toNanos();
        while (true) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!recorder.awaitCount(cursor, left)) {
                throw new AssertionError("expected " + what + ", " + (recorder.ended() ? "but the stream ended"
                        : "none within " + recorder.timeout()) + "; received " + recorder.events());
            }
            StreamEvent event = recorder.events().get(cursor++);
            if (condition.test(event)) {
                return event;
            }
        }
    }

    /**
     * The next event of the key, which must be a {@code snapshot}.
     *
     * @param key the key as the stream writes it
     * @return the snapshot
     * @throws AssertionError if the key's next event is another kind, or none arrives within the timeout
     */
    public StreamEvent expectSnapshot(String key) {
        return expect(StreamEvent.SNAPSHOT, key);
    }

    /**
     * The next event of the key, which must be a {@code change}.
     *
     * @param key the key as the stream writes it
     * @return the change
     * @throws AssertionError if the key's next event is another kind, or none arrives within the timeout
     */
    public StreamEvent expectChange(String key) {
        return expect(StreamEvent.CHANGE, key);
    }

    /**
     * The next event of the key, which must say it was {@code removed}.
     *
     * @param key the key as the stream writes it
     * @return the removal
     * @throws AssertionError if the key's next event is another kind, or none arrives within the timeout
     */
    public StreamEvent expectRemoved(String key) {
        return expect(StreamEvent.REMOVED, key);
    }

    /**
     * The next event of the key, which must say it was {@code revoked}.
     *
     * @param key the key as the stream writes it
     * @return the revocation
     * @throws AssertionError if the key's next event is another kind, or none arrives within the timeout
     */
    public StreamEvent expectRevoked(String key) {
        return expect(StreamEvent.REVOKED, key);
    }

    /**
     * The next {@code end} event, which must give the reason; state events and heartbeats before it are skipped.
     *
     * @param reason the expected reason, e.g. {@code "logged-out"}
     * @return the end event
     * @throws AssertionError if it gives another reason, or none arrives within the timeout
     */
    public StreamEvent expectEnd(String reason) {
        StreamEvent end = nextMatching(StreamEvent::isEnd, "an end event");
        if (!reason.equals(end.endReason())) {
            throw new AssertionError("expected the stream to end with " + reason + ", got " + end);
        }
        return end;
    }

    private StreamEvent expect(String kind, String key) {
        StreamEvent event = nextMatching(e -> key.equals(e.key()), "an event of key " + key);
        if (!kind.equals(event.kind())) {
            throw new AssertionError("expected a " + kind + " of key " + key + ", got " + event);
        }
        return event;
    }

    /**
     * Asserts that the ids of the state events received so far increase, as they must within one epoch.
     *
     * @return this
     * @throws AssertionError naming the first pair out of order
     */
    public TestStream assertIdsIncreasing() {
        StreamEvent previous = null;
        for (StreamEvent event : recorder.events()) {
            if (event.isPing() || event.key() == null) {
                continue;
            }
            if (previous != null && previous.epoch().equals(event.epoch())
                    && event.sequence() <= previous.sequence()) {
                throw new AssertionError("event ids do not increase: " + previous.id() + " then " + event.id()
                        + " in " + recorder.events());
            }
            previous = event;
        }
        return this;
    }

    /** @return every event received so far, in order, heartbeats included */
    public List<StreamEvent> events() {
        return recorder.events();
    }

    /** @return the latest state event of every key received so far: what a page shows */
    public Map<String, StreamEvent> latest() {
        Map<String, StreamEvent> latest = new LinkedHashMap<>();
        for (StreamEvent event : recorder.events()) {
            if (event.key() != null) {
                latest.put(event.key(), event);
            }
        }
        return latest;
    }

    /** @return the last event id in force, as a browser would send it back; {@code ""} if none */
    public String lastEventId() {
        List<StreamEvent> events = recorder.events();
        return events.isEmpty() ? "" : events.get(events.size() - 1).id();
    }

    /** @return the reconnection time the stream set ({@code retry:}), in milliseconds, or -1 */
    public long retry() {
        return recorder.retry();
    }

    /** @return whether the server ended the response (or the connection was lost) */
    public boolean ended() {
        return recorder.ended();
    }

    /**
     * Waits until the server ends the response.
     *
     * @return this
     * @throws AssertionError if it does not end within the timeout
     */
    public TestStream awaitEnd() {
        if (!recorder.awaitEnd(recorder.timeout())) {
            throw new AssertionError("the stream did not end within " + recorder.timeout());
        }
        return this;
    }

    /**
     * Disconnects and opens the same request again with this stream's {@link #lastEventId()} as
     * {@code Last-Event-ID}, as a browser does after a dropped connection.
     *
     * @return the new stream
     */
    public TestStream reconnect() {
        String lastEventId = lastEventId();
        close();
        return reopen.apply(lastEventId.isEmpty() ? null : lastEventId);
    }

    /** Disconnects, as a closed browser tab does. Idempotent. */
    @Override
    public void close() {
        disconnect.run();
    }

    @Override
    public String toString() {
        return "TestStream[" + status + ", " + Objects.requireNonNullElse(header("Content-Type"), "")
                + (recorder.ended() ? ", ended" : "") + "] " + recorder.events();
    }
}
