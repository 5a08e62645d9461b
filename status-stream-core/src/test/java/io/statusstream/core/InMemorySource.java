package io.statusstream.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A thread-safe, map-backed source that records every call and can be made to fail. */
final class InMemorySource<K, S> implements StateSource<K, S> {

    private final Map<K, S> states = new ConcurrentHashMap<>();
    private final List<List<K>> calls = new CopyOnWriteArrayList<>();
    private volatile RuntimeException failure;

    InMemorySource<K, S> put(K key, S state) {
        states.put(key, state);
        return this;
    }

    void remove(K key) {
        states.remove(key);
    }

    void failWith(RuntimeException failure) {
        this.failure = failure;
    }

    void recover() {
        this.failure = null;
    }

    @Override
    public Map<K, S> fetch(Collection<K> keys) {
        calls.add(List.copyOf(keys));
        RuntimeException current = failure;
        if (current != null) {
            throw current;
        }
        Map<K, S> result = new HashMap<>();
        for (K key : keys) {
            S state = states.get(key);
            if (state != null) {
                result.put(key, state);
            }
        }
        return result;
    }

    /** Every call so far, each the keys it was asked for. */
    List<List<K>> calls() {
        return new ArrayList<>(calls);
    }

    int callCount() {
        return calls.size();
    }

    void forgetCalls() {
        calls.clear();
    }
}
