package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The user's serializer and change detector, called so that a failure for one key costs only that key: its change
 * is held back (and retried next poll), logged once until the key encodes again, and never counted as a failure of
 * the source. Shared by local publishing and the cluster leader.
 *
 * <p>Confined to the poller thread.
 */
final class EventEncoder<K, S> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private static final String SERIALIZER = "the serializer";
    private static final String DETECTOR = "the change detector";

    private final String name;
    private final EventSerializer<K, S> serializer;
    private final ChangeDetector<S> detector;
    /** Keys whose last serializer or detector call failed, with which of them, so the failure is logged once. */
    private final Map<K, String> failingKeys = new HashMap<>();

    EventEncoder(String name, EventSerializer<K, S> serializer, ChangeDetector<S> detector) {
        this.name = name;
        this.serializer = serializer;
        this.detector = detector;
    }

    /** The event's data, or {@code null} (the change is held back) if the serializer fails. */
    String encode(String epoch, long seq, K key, StateEvent.Kind kind, S state) {
        String data;
        try {
            data = serializer.serialize(new StateEvent<>(EventId.format(epoch, seq), key, kind, state));
            if (data == null) {
                throw new IllegalStateException("the serializer returned null");
            }
        } catch (RuntimeException failure) {
            failed(key, SERIALIZER, failure);
            return null;
        }
        recovered(key, SERIALIZER);
        return data;
    }

    /** A live event's frame, or {@code null} if the serializer fails. */
    EncodedEvent<K> encodeLive(String epoch, long seq, K key, S current, long now) {
        StateEvent.Kind kind = current == null ? StateEvent.Kind.REMOVED : StateEvent.Kind.CHANGE;
        String data = encode(epoch, seq, key, kind, current);
        return data == null ? null : new EncodedEvent<>(key, seq,
                SseFrames.utf8(SseFrames.event(EventId.format(epoch, seq), data)), now, true);
    }

    /**
     * Whether a fetched state differs from a known one: by the change detector when the known state object is at
     * hand, else (a state from a shared log, or from before an epoch change) by snapshot data.
     *
     * @param currentSnapshot the current state's snapshot data, asked for only when compared by data; {@code null}
     *                        if it cannot be encoded
     */
    Difference differs(K key, Observed<S> known, String knownSnapshotData, S current,
                       Supplier<String> currentSnapshot) {
        if (known.present() != (current != null)) {
            return Difference.CHANGED;
        }
        if (current == null) {
            return Difference.SAME;
        }
        if (known.stateKnown()) {
            try {
                boolean changed = detector.hasChanged(known.state(), current);
                recovered(key, DETECTOR);
                return changed ? Difference.CHANGED : Difference.SAME;
            } catch (RuntimeException failure) {
                failed(key, DETECTOR, failure);
                return Difference.UNKNOWN;
            }
        }
        String currentData = currentSnapshot.get();
        if (currentData == null) {
            return Difference.UNKNOWN;
        }
        return currentData.equals(knownSnapshotData) ? Difference.SAME : Difference.CHANGED;
    }

    /** Forgets failing keys that are no longer watched. */
    void retainWatched(Predicate<K> watched) {
        if (!failingKeys.isEmpty()) {
            failingKeys.keySet().removeIf(watched.negate());
        }
    }

    /** Keys whose last encoding failed; for tests. */
    int failingKeys() {
        return failingKeys.size();
    }

    private void failed(K key, String what, RuntimeException failure) {
        if (!what.equals(failingKeys.put(key, what))) {
            LOG.log(Level.WARNING, "Status stream '" + name + "': " + what + " failed for key " + key
                    + "; its changes are held back and retried every poll", failure);
        }
    }

    private void recovered(K key, String what) {
        if (!failingKeys.isEmpty() && failingKeys.remove(key, what)) {
            LOG.log(Level.INFO, () -> "Status stream '" + name + "': key " + key + " is encoded again");
        }
    }

    /** How a fetched state compares with the known one. */
    enum Difference {
        SAME,
        CHANGED,
        /** The detector or serializer failed: the key is skipped this time and compared again next poll. */
        UNKNOWN
    }
}
