package io.statusstream.core.testing;

import io.statusstream.core.StateSource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link StateSource} over a map, for tests and prototypes: a test changes states with {@link #put} and
 * {@link #remove}, makes every fetch fail with {@link #failWith}, and reads back which keys each fetch asked for.
 * Thread-safe.
 *
 * @param <K> key type
 * @param <S> state type
 */
public final class InMemoryStateSource<K, S> implements StateSource<K, S> {

    private final Map<K, S> states = new ConcurrentHashMap<>();
    private final List<List<K>> calls = new CopyOnWriteArrayList<>();
    private volatile RuntimeException failure;

    /**
     * Sets a key's state; {@code null} is not allowed (use {@link #remove}).
     *
     * @param key   the key, never {@code null}
     * @param state its new state, never {@code null}
     * @return this source
     */
    public InMemoryStateSource<K, S> put(K key, S state) {
        states.put(key, state);
        return this;
    }

    /**
     * The key no longer exists.
     *
     * @param key the key, never {@code null}; absent keys are ignored
     */
    public void remove(K key) {
        states.remove(key);
    }

    /**
     * Every fetch from now on throws this, until {@link #recover()}.
     *
     * @param failure what fetches throw; {@code null} acts as {@link #recover()}
     */
    public void failWith(RuntimeException failure) {
        this.failure = failure;
    }

    /** Fetches answer again. */
    public void recover() {
        this.failure = null;
    }

    /** Records the call, then answers from the map or throws the failure set by {@link #failWith}. */
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

    /**
     * Every call so far, each the keys it was asked for.
     *
     * @return a copy, oldest call first; each call's keys unmodifiable, in the order asked
     */
    public List<List<K>> calls() {
        return new ArrayList<>(calls);
    }

    /**
     * How many fetches were made.
     *
     * @return fetches since creation or the last {@link #forgetCalls()}
     */
    public int callCount() {
        return calls.size();
    }

    /** Clears the record of fetches. */
    public void forgetCalls() {
        calls.clear();
    }

    @Override
    public String toString() {
        return "InMemoryStateSource" + states.keySet();
    }
}
