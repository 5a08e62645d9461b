package io.statusstream.test;

import io.statusstream.core.Frames;
import io.statusstream.core.CloseReason;
import io.statusstream.core.EventSink;
import io.statusstream.core.StatusStream;

import java.time.Duration;

/**
 * An {@link EventSink} for tests of an engine without HTTP: subscribe it ({@link StatusStream#subscribe}) and read what
 * the subscriber got as a {@link TestStream}, parsed exactly as the HTTP client parses a response.
 *
 * <pre>{@code
 * RecordingEventSink sink = new RecordingEventSink();
 * try (Subscription<Long> subscription = stream.subscribe(List.of(7L), null, sink)) {
 *     sink.stream().expectSnapshot("7");
 * }
 * }</pre>
 *
 * <p>Thread-safe: the engine writes from its writer threads while the test reads.
 */
public final class RecordingEventSink implements EventSink {

    private final EventRecorder recorder;
    private final TestStream stream;
    private volatile CloseReason closedWith;

    /** A sink whose waits last {@link StatusStreamClient#DEFAULT_TIMEOUT}. */
    public RecordingEventSink() {
        this(() -> {
        }, StatusStreamClient.DEFAULT_TIMEOUT);
    }

    /**
     * @param whileWaiting run between short waits, e.g. a manual engine clock's {@code runDue}
     * @param timeout      the longest any wait lasts
     */
    public RecordingEventSink(Runnable whileWaiting, Duration timeout) {
        this.recorder = new EventRecorder(whileWaiting, timeout);
        this.stream = new TestStream(200, java.util.Map.of(), recorder, () -> {
        }, lastEventId -> {
            throw new UnsupportedOperationException("subscribe a new sink with the last event id instead");
        });
    }

    @Override
    public void write(Frames written) {
        String frames = written.toString();
        recorder.feed(frames);
    }

    @Override
    public void close(CloseReason reason) {
        closedWith = reason;
        recorder.end(String.valueOf(reason));
    }

    /** @return what the subscriber received, with the same cursor and assertions as an HTTP stream */
    public TestStream stream() {
        return stream;
    }

    /** @return why the engine closed the subscriber, or {@code null} while it is open */
    public CloseReason closedWith() {
        return closedWith;
    }
}
