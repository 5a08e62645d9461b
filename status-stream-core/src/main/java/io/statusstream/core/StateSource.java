package io.statusstream.core;

import java.util.Collection;
import java.util.Map;

/**
 * Where the current state of watched keys comes from: a database table, a service, an in-memory model.
 *
 * <p>The engine calls {@link #fetch(Collection)} with <em>all</em> watched keys of one poll, split into chunks of
 * at most the configured batch size, so an implementation should answer a whole chunk with one round trip
 * (one SQL statement, one HTTP call). The number of calls per poll is {@code ceil(keys / batchSize)},
 * whatever the number of subscribers.
 *
 * <p><b>Threads:</b> calls come from the engine's poller thread only, never concurrently for one engine and never
 * from a request thread. An implementation shared between engines must be thread-safe.
 *
 * <p><b>Nulls and absence:</b> a key missing from the returned map (or mapped to {@code null}) does not exist (any
 * more): subscribers of that key see a removal. The returned map may contain keys that were not asked for; they
 * are ignored. Keys are compared with {@code equals}, so the map's keys must be equal to the requested ones
 * (same type: a {@code Long} key is not equal to an {@code Integer}).
 *
 * <p><b>Failures:</b> a call may throw any {@link RuntimeException}; the engine logs it once per outage, keeps every
 * stream open, backs off and retries. A call must not block forever: bound it (a JDBC statement timeout, an
 * HTTP read timeout), because polls of one engine never overlap and a stuck call stalls that engine's polling.
 *
 * @param <K> key type; must implement {@code equals} and {@code hashCode}
 * @param <S> state type; compared by the engine's {@link ChangeDetector}, so ideally an immutable value (a record)
 */
@FunctionalInterface
public interface StateSource<K, S> {

    /**
     * Returns the current state of the given keys.
     *
     * @param keys the keys to read, never empty, never containing {@code null}, at most the batch size;
     *             unmodifiable
     * @return the state of each key that exists; never {@code null}
     */
    Map<K, S> fetch(Collection<K> keys);
}
