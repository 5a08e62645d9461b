package io.statusstream.test;

import io.statusstream.core.testing.SseParser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Receives {@code text/event-stream} text as it arrives (from any thread), interprets it with core's WHATWG
 * {@link SseParser}, and lets a test wait for what it expects.
 *
 * <p>Thread-safe: one lock guards the parser, the events and the end; waiting happens on its condition, never in a
 * fixed sleep. While waiting, the {@code whileWaiting} step (for example a manual engine clock's {@code runDue}) runs
 * on the waiting thread between short waits, outside the lock.
 */
final class EventRecorder {

    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final SseParser parser = new SseParser();
    private final StringBuilder text = new StringBuilder();
    private final List<StreamEvent> events = new ArrayList<>();
    private final Runnable whileWaiting;
    private final Duration timeout;
    private boolean ended;
    private String endReason;

    EventRecorder(Runnable whileWaiting, Duration timeout) {
        this.whileWaiting = whileWaiting;
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    void feed(String chunk) {
        lock.lock();
        try {
            text.append(chunk);
            parser.feed(chunk);
            List<SseParser.Event> parsed = parser.events();
            for (int i = events.size(); i < parsed.size(); i++) {
                events.add(StreamEvent.of(parsed.get(i)));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void end(String reason) {
        lock.lock();
        try {
            if (!ended) {
                ended = true;
                endReason = reason;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<StreamEvent> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    String text() {
        lock.lock();
        try {
            return text.toString();
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    String endReason() {
        lock.lock();
        try {
            return endReason;
        } finally {
            lock.unlock();
        }
    }

    long retry() {
        lock.lock();
        try {
            return parser.retry();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until more than {@code count} events were received, or the stream ended, or the wait is over.
     *
     * @return whether the event at index {@code count} is there
     */
    boolean awaitCount(int count, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            whileWaiting.run();
            lock.lock();
            try {
                if (events.size() > count) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, STEP_NANOS));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for an event", interrupted);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits until the stream ended or the wait is over.
     *
     * @return whether it ended
     */
    boolean awaitEnd(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            whileWaiting.run();
            lock.lock();
            try {
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    return ended;
                }
                changed.awaitNanos(Math.min(left, STEP_NANOS));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the end", interrupted);
            } finally {
                lock.unlock();
            }
        }
    }
}
