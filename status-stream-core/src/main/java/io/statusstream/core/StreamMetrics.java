package io.statusstream.core;

import java.time.Duration;

/**
 * Counters, timings and traced work reported by an engine, for binding to a metrics library (the starter binds
 * Micrometer). Gauges (subscribers, watched keys, health, staleness) are read from {@link StatusStream#stats()}
 * instead.
 *
 * <p>Every method has a no-op default, so an implementation overrides only what it records. Methods are called on
 * the poller, on writer threads and on threads that call {@link StatusStream#touch}, concurrently: implementations
 * must be thread-safe, fast and must not throw (an exception is logged and ignored; a {@link Span} that cannot be
 * started is replaced by {@link Span#NONE}). Times are on the engine's clock ({@link StreamScheduler#nanoTime()}).
 */
public interface StreamMetrics {

    /** Records nothing. */
    StreamMetrics NONE = new StreamMetrics() {
    };

    /**
     * A poll completed successfully.
     *
     * @param keys                  keys fetched
     * @param sourceCalls           calls made to the source ({@code ceil(keys / batchSize)})
     * @param perClientCallsAvoided the calls that one-query-per-client-per-key polling would have made for the same
     *                              keys, minus {@code sourceCalls}; never negative
     * @param duration              time spent in the source and in change detection
     */
    default void pollCompleted(int keys, int sourceCalls, long perClientCallsAvoided, Duration duration) {
    }

    /**
     * A poll failed; the engine backs off.
     *
     * @param failure what the poll threw, never {@code null}
     */
    default void pollFailed(Throwable failure) {
    }

    /**
     * Ticks skipped because a poll took longer than the interval (polls of one stream never overlap).
     *
     * @param ticks intervals skipped, {@code > 0}
     */
    default void pollsSkipped(long ticks) {
    }

    /**
     * Changes detected in one poll (events created, before fan-out).
     *
     * @param changes events created, {@code > 0}
     */
    default void changesDetected(int changes) {
    }

    /**
     * Events written to one subscriber in one write (heartbeats not counted).
     *
     * @param events events in the write, {@code > 0}
     */
    default void eventsSent(int events) {
    }

    /**
     * A write to one subscriber carried changes (not only snapshots or a replay): how long after its detection the
     * oldest of them was written. A change is detected when the poll that found it finished fetching its chunk (on a
     * cluster member that fans out from the shared log: when the log delivered it); it is written when the sink's
     * write returned. Recorded once per write, after {@link #eventsSent}, on the writer thread. The first write of a
     * subscription carries its snapshots or replay and is not timed, nor are changes that arrive with it.
     *
     * @param lagNanos nanoseconds from detection to write, {@code >= 0}
     */
    default void changesDelivered(long lagNanos) {
    }

    /**
     * A poll of the source starts, on the poller thread: before its first source call. The returned span is ended
     * once, on the same thread, after the last chunk was fetched and published (so a source call the source's own
     * instrumentation traces is a child of it).
     *
     * @param keys keys to fetch, {@code > 0}
     * @return the poll's span, never {@code null}; {@link Span#NONE} to trace nothing
     */
    default Span pollStarted(int keys) {
        return Span.NONE;
    }

    /**
     * {@link StatusStream#touch} was called, on the caller's thread. The returned span is ended once, on the same
     * thread, before {@code touch} returns; the poll it asked for runs later, on the poller.
     *
     * @param keys the touched keys this instance acted on (watched keys; in a cluster, every key, which the cluster's
     *             poller checks); {@code 0} if none, when no poll follows
     * @return the touch's span, never {@code null}; {@link Span#NONE} to trace nothing
     */
    default Span touched(int keys) {
        return Span.NONE;
    }

    /** An undelivered event was replaced by a newer state of the same key for a slow subscriber. */
    default void eventCoalesced() {
    }

    /** A heartbeat event was written. */
    default void heartbeatSent() {
    }

    /** A subscription was opened. */
    default void subscriberOpened() {
    }

    /**
     * A subscription ended, by the engine or by its owner.
     *
     * @param reason why it ended, never {@code null}
     */
    default void subscriberClosed(CloseReason reason) {
    }

    /**
     * The stream changed where its events come from ({@link StreamStats#mode()}).
     *
     * @param mode the new mode, never {@code null}
     */
    default void modeChanged(StreamStats.Mode mode) {
    }

    /**
     * Work that a metrics listener traces (a span of a trace, an observation): started by the listener when
     * {@link #pollStarted} or {@link #touched} returns it, ended by the engine exactly once, on the thread that
     * started it.
     */
    interface Span {

        /** Traces nothing. */
        Span NONE = failure -> {
        };

        /**
         * The work ended.
         *
         * @param failure what it failed with, or {@code null} if it succeeded
         */
        void end(Throwable failure);
    }
}
