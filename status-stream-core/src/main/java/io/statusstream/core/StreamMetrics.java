package io.statusstream.core;

import java.time.Duration;

/**
 * Counters and timings reported by an engine, for binding to a metrics library (the starter binds Micrometer).
 * Gauges (subscribers, watched keys, health) are read from {@link StatusStream#stats()} instead.
 *
 * <p>Every method has a no-op default, so an implementation overrides only what it records. Methods are called on
 * the poller and on writer threads, concurrently: implementations must be thread-safe, fast and must not throw
 * (an exception is logged and ignored).
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
}
