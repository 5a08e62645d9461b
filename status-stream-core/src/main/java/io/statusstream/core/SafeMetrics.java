package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The user's {@link StreamMetrics} behind a guard: a call that throws is logged at DEBUG and ignored (a span that
 * cannot be started is {@link Span#NONE}; its end is guarded too), so a failing listener costs no subscriber an event
 * and is never taken for a failure of the source. Thread-safe if the wrapped
 * listener is, as {@link StreamMetrics} requires.
 */
final class SafeMetrics implements StreamMetrics {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private final String name;
    private final StreamMetrics metrics;

    SafeMetrics(String name, StreamMetrics metrics) {
        this.name = name;
        this.metrics = metrics;
    }

    @Override
    public void pollCompleted(int keys, int sourceCalls, long perClientCallsAvoided, Duration duration) {
        guard(() -> metrics.pollCompleted(keys, sourceCalls, perClientCallsAvoided, duration));
    }

    @Override
    public void pollFailed(Throwable failure) {
        guard(() -> metrics.pollFailed(failure));
    }

    @Override
    public void pollsSkipped(long ticks) {
        guard(() -> metrics.pollsSkipped(ticks));
    }

    @Override
    public void changesDetected(int changes) {
        guard(() -> metrics.changesDetected(changes));
    }

    @Override
    public void eventsSent(int events) {
        guard(() -> metrics.eventsSent(events));
    }

    @Override
    public void changesDelivered(long lagNanos) {
        guard(() -> metrics.changesDelivered(lagNanos));
    }

    @Override
    public Span pollStarted(int keys) {
        return start(() -> metrics.pollStarted(keys));
    }

    @Override
    public Span touched(int keys) {
        return start(() -> metrics.touched(keys));
    }

    /** The listener's span, ended under the same guard; {@link Span#NONE} if it cannot be started. */
    private Span start(Supplier<Span> starter) {
        Span span;
        try {
            span = starter.get();
        } catch (RuntimeException failure) {
            LOG.log(Level.DEBUG, "Status stream '" + name + "': metrics listener failed", failure);
            return Span.NONE;
        }
        if (span == null || span == Span.NONE) {
            return Span.NONE;
        }
        return failure -> guard(() -> span.end(failure));
    }

    @Override
    public void eventCoalesced() {
        guard(metrics::eventCoalesced);
    }

    @Override
    public void heartbeatSent() {
        guard(metrics::heartbeatSent);
    }

    @Override
    public void subscriberOpened() {
        guard(metrics::subscriberOpened);
    }

    @Override
    public void subscriberClosed(CloseReason reason) {
        guard(() -> metrics.subscriberClosed(reason));
    }

    @Override
    public void modeChanged(StreamStats.Mode mode) {
        guard(() -> metrics.modeChanged(mode));
    }

    private void guard(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException failure) {
            LOG.log(Level.DEBUG, "Status stream '" + name + "': metrics listener failed", failure);
        }
    }
}
