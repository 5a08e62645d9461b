package io.statusstream.core;

import java.util.Objects;

/**
 * One entry of a {@link StreamCluster}'s log: a key's change (or first load) as the leader encoded it, so every
 * instance can send it, and send the resulting state as a snapshot, without knowing the state type. Immutable.
 *
 * @param key          the key
 * @param seq          its position in the log, {@code > 0}; the event id is {@code <epoch>-<seq>}
 * @param kind         what happened
 * @param present      whether the key exists after this event
 * @param data         the event's SSE data as subscribers receive it live
 * @param snapshotData the SSE data of a {@link StateEvent.Kind#SNAPSHOT} of the resulting state
 * @param <K>          key type
 */
public record SharedEvent<K>(K key, long seq, StateEvent.Kind kind, boolean present, String data,
                             String snapshotData) {

    /**
     * Creates an event, checking its components.
     *
     * @param key          the key, never {@code null}
     * @param seq          its position in the log, {@code > 0}
     * @param kind         what happened, never {@code null}
     * @param present      whether the key exists after this event
     * @param data         the live SSE data, never {@code null}
     * @param snapshotData the snapshot's SSE data, never {@code null}
     * @throws NullPointerException     if {@code key}, {@code kind}, {@code data} or {@code snapshotData} is
     *                                  {@code null}
     * @throws IllegalArgumentException if {@code seq} is not positive
     */
    public SharedEvent {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(snapshotData, "snapshotData");
        if (seq <= 0) {
            throw new IllegalArgumentException("seq must be positive, was " + seq);
        }
    }
}
