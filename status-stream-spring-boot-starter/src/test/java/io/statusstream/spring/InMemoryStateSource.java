package io.statusstream.spring;

import io.statusstream.core.StateSource;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link StateSource} over a concurrent map, which a test can change or make fail. Thread-safe. */
final class InMemoryStateSource<K, S> implements StateSource<K, S> {

    private final Map<K, S> states = new ConcurrentHashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile RuntimeException failure;

    InMemoryStateSource<K, S> put(K key, S state) {
        states.put(key, state);
        return this;
    }

    void remove(K key) {
        states.remove(key);
    }

    /** Makes every fetch throw this until {@link #recover()}. */
    void failWith(RuntimeException failure) {
        this.failure = failure;
    }

    void recover() {
        failure = null;
    }

    int fetches() {
        return fetches.get();
    }

    @Override
    public Map<K, S> fetch(Collection<K> keys) {
        fetches.incrementAndGet();
        RuntimeException current = failure;
        if (current != null) {
            throw current;
        }
        Map<K, S> found = new HashMap<>();
        for (K key : keys) {
            S state = states.get(key);
            if (state != null) {
                found.put(key, state);
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return "InMemoryStateSource" + states.keySet();
    }
}
