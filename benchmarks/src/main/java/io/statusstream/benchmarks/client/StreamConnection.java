package io.statusstream.benchmarks.client;

import java.util.concurrent.Flow;

/**
 * One SSE connection, as a subscriber of its response's lines: remembers the last {@code version} seen and hands
 * each change's {@code writtenAtMicros} to the {@link LatencyRecorder}. Lines arrive one at a time (the JDK client
 * serialises {@code onNext}); the fields read by the main thread are volatile.
 */
final class StreamConnection implements Flow.Subscriber<String> {

    /** The version the runner's final write sets on every row: a client that has it ends at the final state. */
    static final long FINAL_VERSION = 1_000_000_000L;

    private final LatencyRecorder recorder;
    private final Runnable onFirstLine;
    private volatile boolean firstLine;
    private volatile long lastVersion = -1;
    private volatile boolean ended;

    StreamConnection(LatencyRecorder recorder, Runnable onFirstLine) {
        this.recorder = recorder;
        this.onFirstLine = onFirstLine;
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
        // "data: {" from the library, "data:{" from Spring's SseEmitter in the baseline; pings have empty data.
        if (!line.startsWith("data:") || line.indexOf('{') < 0 || line.indexOf('{') > 6) {
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
        ended(failure);
    }

    @Override
    public void onComplete() {
        ended(null);
    }

    void ended(Throwable failure) {
        if (!firstLine) {
            firstLine = true;
            onFirstLine.run();
        }
        ended = true;
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
