package io.statusstream.core.testing;

import io.statusstream.core.StreamScheduler;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link StreamScheduler} whose clock moves only when a test says so: tasks run on the test's thread, in due-time
 * order, during {@link #advance(Duration)} or {@link #runDue()}. Tests drive polls, heartbeats and timeouts
 * deterministically instead of sleeping.
 *
 * <p>Thread-safe for scheduling and reading the clock (engines schedule from request and writer threads); advance
 * it from one thread at a time, as a real scheduler runs one task at a time. Tasks run outside its lock, so a task
 * may schedule more: those due within the advanced period run in the same call.
 */
public final class ManualStreamScheduler implements StreamScheduler {

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long nowNanos;
    private long scheduledCount;

    @Override
    public synchronized long nanoTime() {
        return nowNanos;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        Task scheduled = new Task(nowNanos + delay.toNanos(), scheduledCount++, task);
        tasks.add(scheduled);
        return () -> {
            synchronized (this) {
                tasks.remove(scheduled);
            }
        };
    }

    /**
     * Moves the clock forward, running every task that falls due on the way, each at its due time.
     *
     * @param duration how far to move the clock, zero or positive
     */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + duration);
        }
        long target;
        synchronized (this) {
            target = nowNanos + duration.toNanos();
        }
        runUntil(target);
    }

    /** Runs every task due now, including those they schedule with no delay, without moving the clock. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /**
     * Tasks scheduled and not yet run.
     *
     * @return tasks waiting to run; cancelled ones are not counted
     */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    /** Drops every pending task. */
    @Override
    public synchronized void close() {
        tasks.clear();
    }

    private void runUntil(long targetNanos) {
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.dueNanos > targetNanos) {
                    nowNanos = targetNanos;
                    return;
                }
                tasks.poll();
                nowNanos = Math.max(nowNanos, next.dueNanos);
            }
            next.runnable.run();
        }
    }

    private record Task(long dueNanos, long order, Runnable runnable) implements Comparable<Task> {
        @Override
        public int compareTo(Task other) {
            int byTime = Long.compare(dueNanos, other.dueNanos);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }
}
