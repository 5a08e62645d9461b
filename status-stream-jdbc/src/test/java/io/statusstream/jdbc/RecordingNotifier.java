package io.statusstream.jdbc;

import io.statusstream.core.ChangeNotifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * Wraps a notifier (or stands alone as a listener) and records the hints passing through, so tests can wait for
 * them. A hint is forwarded before it is recorded, so a test that sees it knows the engine has it. Thread-safe.
 */
final class RecordingNotifier<K> implements ChangeNotifier<K>, ChangeNotifier.Listener<K> {

    private final ChangeNotifier<K> delegate;
    private final List<K> keys = new ArrayList<>();
    private int keysChangedCalls;
    private int resyncs;
    private Listener<K> downstream;

    RecordingNotifier(ChangeNotifier<K> delegate) {
        this.delegate = delegate;
    }

    @Override
    public void start(Listener<K> listener) {
        synchronized (this) {
            downstream = listener;
        }
        delegate.start(this);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void keysChanged(Collection<? extends K> changed) {
        Listener<K> next = downstream();
        if (next != null) {
            next.keysChanged(changed);
        }
        synchronized (this) {
            keys.addAll(changed);
            keysChangedCalls++;
            notifyAll();
        }
    }

    @Override
    public void resync() {
        Listener<K> next = downstream();
        if (next != null) {
            next.resync();
        }
        synchronized (this) {
            resyncs++;
            notifyAll();
        }
    }

    private synchronized Listener<K> downstream() {
        return downstream;
    }

    synchronized List<K> keys() {
        return List.copyOf(keys);
    }

    synchronized int resyncs() {
        return resyncs;
    }

    synchronized int keysChangedCalls() {
        return keysChangedCalls;
    }

    /** Waits until the recorded state satisfies the condition; returns whether it did in time. */
    synchronized boolean await(Predicate<RecordingNotifier<K>> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(this)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
