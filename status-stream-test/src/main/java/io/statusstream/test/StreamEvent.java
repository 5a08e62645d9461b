package io.statusstream.test;

import java.util.function.Function;

/**
 * One event as a browser's {@code EventSource} dispatches it, with the starter's JSON envelope
 * ({@code {"key":"7","kind":"change","state":{...}}}) read out of its data.
 *
 * <p>Immutable and thread-safe. {@link #key()}, {@link #kind()} and {@link #state()} are {@code null} when the data is
 * not an envelope: a {@code ping}, or a stream with a serializer of its own.
 *
 * @param id    the last event id in force when it was dispatched ({@code ""} if none), as {@code Last-Event-ID}
 * @param type  the event type: {@code "message"} for state events, {@code "ping"} for heartbeats, {@code "end"} for
 *              the end of a stream ended for good
 * @param data  the data, its lines joined with LF
 * @param key   the envelope's key, or {@code null}
 * @param kind  the envelope's kind ({@code "snapshot"}, {@code "change"}, {@code "removed"}, {@code "revoked"}), or
 *              {@code null}
 * @param state the envelope's state as JSON text ({@code "null"} for a removed key), or {@code null}
 */
public record StreamEvent(String id, String type, String data, String key, String kind, String state) {

    /** The kind of a current state: on connect, or instead of a replay that is no longer possible. */
    public static final String SNAPSHOT = "snapshot";
    /** The kind of a change after the stream started, or a replayed one. */
    public static final String CHANGE = "change";
    /** The kind of a key that no longer exists. */
    public static final String REMOVED = "removed";
    /** The kind of a key the client may no longer watch: no state, no id of its own. */
    public static final String REVOKED = "revoked";
    /** The type of a heartbeat. */
    public static final String PING = "ping";
    /** The type of the last event of a stream ended for good; its data is {@code {"reason":"<reason>"}}. */
    public static final String END = "end";

    /**
     * Reads an event as {@link io.statusstream.core.testing.SseParser} dispatched it.
     *
     * @param event a parsed event, not {@code null}
     * @return the event, with its envelope when its data is one
     */
    public static StreamEvent of(io.statusstream.core.testing.SseParser.Event event) {
        Envelope envelope = Envelope.parse(event.data());
        return envelope == null
                ? new StreamEvent(event.lastEventId(), event.type(), event.data(), null, null, null)
                : new StreamEvent(event.lastEventId(), event.type(), event.data(), envelope.key, envelope.kind,
                envelope.state);
    }

    /** @return whether this is a heartbeat ({@code event: ping}) */
    public boolean isPing() {
        return PING.equals(type);
    }

    /**
     * @param key a key as the stream writes it
     * @return whether this is a {@code snapshot} of the key
     */
    public boolean isSnapshotOf(String key) {
        return is(SNAPSHOT, key);
    }

    /**
     * @param key a key as the stream writes it
     * @return whether this is a {@code change} of the key
     */
    public boolean isChangeOf(String key) {
        return is(CHANGE, key);
    }

    /**
     * @param key a key as the stream writes it
     * @return whether this says the key was {@code removed}
     */
    public boolean isRemovalOf(String key) {
        return is(REMOVED, key);
    }

    /**
     * @param key a key as the stream writes it
     * @return whether this says the key was {@code revoked}: the client may no longer watch it
     */
    public boolean isRevocationOf(String key) {
        return is(REVOKED, key);
    }

    /** @return whether this is the {@code end} of a stream ended for good */
    public boolean isEnd() {
        return END.equals(type);
    }

    /**
     * The reason of an {@code end} event: {@code revoked}, {@code logged-out}, {@code expired} or {@code shutdown}.
     *
     * @return the reason
     * @throws AssertionError if this is not an {@code end} event with a reason
     */
    public String endReason() {
        String prefix = "{\"reason\":\"";
        if (!isEnd() || !data.startsWith(prefix) || !data.endsWith("\"}")) {
            throw new AssertionError("not an end event with a reason: " + this);
        }
        return data.substring(prefix.length(), data.length() - 2);
    }

    private boolean is(String expectedKind, String expectedKey) {
        return expectedKind.equals(kind) && expectedKey.equals(key);
    }

    /**
     * The state read with the caller's JSON mapper, e.g. {@code event.state(json -> mapper.readValue(json,
     * Bot.class))}.
     *
     * @param reader turns the state's JSON text into a value
     * @param <T>    the value's type
     * @return what the reader returned
     * @throws AssertionError if this event has no envelope
     */
    public <T> T state(Function<String, T> reader) {
        if (state == null) {
            throw new AssertionError("not a state event: " + this);
        }
        return reader.apply(state);
    }

    /**
     * The epoch part of the id ({@code <epoch>-<seq>}).
     *
     * @return the epoch, or {@code ""} without an id
     */
    public String epoch() {
        int dash = id.lastIndexOf('-');
        return dash < 0 ? "" : id.substring(0, dash);
    }

    /**
     * The sequence part of the id ({@code <epoch>-<seq>}): increasing over all keys of a stream within one epoch.
     *
     * @return the sequence number
     * @throws AssertionError if the id is not of that form
     */
    public long sequence() {
        int dash = id.lastIndexOf('-');
        try {
            return Long.parseLong(id.substring(dash + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException malformed) {
            throw new AssertionError("not a status-stream event id: '" + id + "' in " + this);
        }
    }

    /** The three envelope fields, read by a scanner that skips nested values whole; {@code null} if not one. */
    private record Envelope(String key, String kind, String state) {

        static Envelope parse(String json) {
            JsonCursor cursor = new JsonCursor(json);
            try {
                String key = null;
                String kind = null;
                String state = null;
                cursor.expect('{');
                if (!cursor.consume('}')) {
                    do {
                        String field = cursor.string();
                        cursor.expect(':');
                        int start = cursor.position();
                        cursor.skipValue();
                        String value = json.substring(start, cursor.position()).strip();
                        switch (field) {
                            case "key" -> key = value.equals("null") ? null : new JsonCursor(value).string();
                            case "kind" -> kind = new JsonCursor(value).string();
                            case "state" -> state = value;
                            default -> {
                            }
                        }
                    } while (cursor.consume(','));
                    cursor.expect('}');
                }
                return kind == null || state == null ? null : new Envelope(key, kind, state);
            } catch (IllegalArgumentException notAnEnvelope) {
                return null;
            }
        }
    }
}
