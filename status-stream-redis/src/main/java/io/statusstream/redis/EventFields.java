package io.statusstream.redis;

import io.statusstream.core.SharedEvent;
import io.statusstream.core.StateEvent;

import java.util.List;
import java.util.Map;

/**
 * How a {@link SharedEvent} is stored in Redis, in one place: the fields of a log or history entry ({@code e} epoch,
 * {@code k} key, {@code t} kind code, {@code p} present, {@code d} data, {@code n} snapshot data when it differs from
 * the data) and the arguments the append script takes. Stateless; thread-safe.
 */
final class EventFields {

    /** Arguments per event of {@link ClusterScripts#APPEND}. */
    static final int APPEND_ARGS = 7;

    private EventFields() {
    }

    /** The append script's arguments for one event: key, seq, kind, present, data, snapshot data or '', same. */
    static List<String> appendArgs(String key, SharedEvent<?> event) {
        boolean same = event.data().equals(event.snapshotData());
        return List.of(key, Long.toString(event.seq()), kind(event.kind()), event.present() ? "1" : "0",
                event.data(), same ? "" : event.snapshotData(), same ? "1" : "0");
    }

    /** An entry of the log: its fields as Redis stores them; its key already parsed. */
    static <K> SharedEvent<K> fromLog(K key, long seq, Map<String, String> fields) {
        String data = fields.get("d");
        return new SharedEvent<>(key, seq, kind(fields.get("t")), "1".equals(fields.get("p")), data,
                fields.getOrDefault("n", data));
    }

    /** An entry of a key's history; its key already parsed. */
    static <K> SharedEvent<K> fromHistory(K key, ScriptReplies.HistoryEntry entry) {
        return new SharedEvent<>(key, entry.seq(), kind(entry.kind()), entry.present(), entry.data(),
                entry.snapshotData());
    }

    /** The epoch a log entry was appended in, or {@code null} for entries written before entries carried it. */
    static String epoch(Map<String, String> fields) {
        return fields.get("e");
    }

    /** The key of a log entry, as text. */
    static String key(Map<String, String> fields) {
        return fields.get("k");
    }

    static String kind(StateEvent.Kind kind) {
        return switch (kind) {
            case SNAPSHOT -> "s";
            case CHANGE -> "c";
            case REMOVED -> "r";
            // Revocation is per subscriber, never published: no revoked event enters the shared log.
            case REVOKED -> throw new IllegalArgumentException("a revoked event is never logged");
        };
    }

    static StateEvent.Kind kind(String code) {
        return switch (code == null ? "" : code) {
            case "s" -> StateEvent.Kind.SNAPSHOT;
            case "r" -> StateEvent.Kind.REMOVED;
            default -> StateEvent.Kind.CHANGE;
        };
    }
}
