package io.statusstream.core;

import java.util.Objects;

/**
 * One event for one key, as handed to the {@link EventSerializer}. Every event carries the whole state of its key,
 * so any single event is enough for a client to be correct.
 *
 * @param id    the SSE id, {@code <epoch>-<seq>}; ids increase across all keys of one engine, never {@code null}
 * @param key   the key, never {@code null}
 * @param kind  what happened
 * @param state the current state; {@code null} exactly when the key does not exist (a {@link Kind#REMOVED} event,
 *              or a {@link Kind#SNAPSHOT} of a missing key), and for a {@link Kind#REVOKED} event
 * @param <K>   key type
 * @param <S>   state type
 */
public record StateEvent<K, S>(String id, K key, Kind kind, S state) {

    /**
     * Creates an event, checking that its state fits its kind.
     *
     * @param id    the SSE id, never {@code null}
     * @param key   the key, never {@code null}
     * @param kind  what happened, never {@code null}
     * @param state the current state: required for {@link Kind#CHANGE}, {@code null} for {@link Kind#REMOVED} and
     *              {@link Kind#REVOKED}, either for {@link Kind#SNAPSHOT}
     * @throws NullPointerException     if {@code id}, {@code key} or {@code kind} is {@code null}
     * @throws IllegalArgumentException if {@code state} does not fit {@code kind}
     */
    public StateEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.CHANGE && state == null) {
            throw new IllegalArgumentException("a CHANGE event needs a state; a missing key is REMOVED");
        }
        if ((kind == Kind.REMOVED || kind == Kind.REVOKED) && state != null) {
            throw new IllegalArgumentException("a " + kind + " event has no state");
        }
    }

    /** What an event says about its key. */
    public enum Kind {
        /**
         * The current state, sent instead of the history: on first connect, and on reconnect when the missed
         * changes are no longer retained or the {@code Last-Event-ID} is from another epoch. The state is
         * {@code null} if the key does not exist.
         */
        SNAPSHOT,
        /** The key's state changed (or the key appeared). */
        CHANGE,
        /** The key no longer exists in the source. */
        REMOVED,
        /**
         * The client may no longer watch the key ({@link Subscription#revoke}); it gets nothing more of it. No state;
         * sent to that one client without an SSE id, so its last event id stays as it was. Its {@code id} is the
         * stream's position when the key was revoked.
         */
        REVOKED
    }
}
