package io.statusstream.core;

import java.time.Duration;

/**
 * The engine's clock and its poller thread. Production uses {@link #singleThread(String)}; tests use
 * {@code io.statusstream.core.testing.ManualStreamScheduler} and advance time themselves instead of sleeping.
 *
 * <p>Implementations must run tasks one at a time (the engine relies on its poller never running two tasks at once),
 * in due-time order, and must be thread-safe for {@link #schedule} and {@link #nanoTime}.
 */
public interface StreamScheduler extends AutoCloseable {

    /**
     * Monotonic time in nanoseconds, as {@link System#nanoTime()}: only differences are meaningful.
     *
     * @return the current time, in nanoseconds from an arbitrary origin
     */
    long nanoTime();

    /**
     * Runs a task once after a delay, on the scheduler's single thread.
     *
     * @param task  what to run, never {@code null}
     * @param delay zero or positive
     * @return a handle to cancel the task
     */
    Cancellable schedule(Runnable task, Duration delay);

    /** Stops running tasks and ends the thread, if this scheduler owns one. Idempotent. */
    @Override
    void close();

    /**
     * A scheduler with one daemon thread named after the stream, on the system clock.
     *
     * @param threadName the thread's name
     * @return a new scheduler; it starts its thread with the first task and ends it on {@link #close()}
     */
    static StreamScheduler singleThread(String threadName) {
        return new SingleThreadScheduler(threadName);
    }

    /** A scheduled task that may be cancelled. */
    @FunctionalInterface
    interface Cancellable {

        /** Prevents the task from running if it has not started. Idempotent. */
        void cancel();
    }
}
