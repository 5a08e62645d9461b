package io.statusstream.core;

/**
 * Turns an event into the text of its SSE {@code data} field (JSON, usually). Called per key, never per subscriber:
 * for each change once for the live event and once for the snapshot of the resulting state (what later subscribers
 * get), and the encoded frames are shared by every subscriber of the key.
 *
 * <p>Called on the engine's poller thread only, never while the engine holds a lock: a snapshot is encoded when its
 * state is stored, not when a subscriber asks for it. Implementations used by several streams must be thread-safe.
 * A serializer that throws holds back that key's change (retried every poll, logged once) and costs no other key
 * anything. Any text is allowed, empty included (it is still sent as one {@code data}
 * line, so {@code EventSource} dispatches it). Line breaks are allowed (sent as several {@code data} lines); a carriage
 * return arrives as a line feed, as the SSE format cannot carry one (JSON escapes them anyway).
 *
 * @param <K> key type
 * @param <S> state type
 */
@FunctionalInterface
public interface EventSerializer<K, S> {

    /**
     * @param event never {@code null}
     * @return the data text, never {@code null}
     */
    String serialize(StateEvent<K, S> event);

    /**
     * A serializer for plain-text use and tests: the state's {@code toString()}, or {@code "null"} for a missing
     * key. It does not say which key an event is for, so use a real one (the starter's JSON) for multi-key streams.
     *
     * @param <K> key type
     * @param <S> state type
     * @return a stateless serializer
     */
    static <K, S> EventSerializer<K, S> stateToString() {
        return event -> String.valueOf(event.state());
    }
}
