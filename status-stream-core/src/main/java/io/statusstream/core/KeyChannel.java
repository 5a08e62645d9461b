package io.statusstream.core;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the engine knows about one watched key: its current state and the sequence number that produced it,
 * its replay ring and its subscribers.
 *
 * <p>Guarded by the engine's lock; the poller, the only thread that changes the state, also reads it without the
 * lock. A channel is created unloaded when its key is first watched and loaded by the first fetch that answers.
 */
final class KeyChannel<K, S> {

    final K key;
    final Set<Subscriber<K, S>> subscribers = new HashSet<>(4);
    private final ReplayRing<K> ring;
    private boolean loaded;
    private S state;
    private long stateSeq;
    private String snapshotFrame;
    private long idleSinceNanos;
    private boolean retired;

    KeyChannel(K key, int replaySize, long replayMaxAgeNanos) {
        this.key = key;
        this.ring = new ReplayRing<>(replaySize, replayMaxAgeNanos, Long.MAX_VALUE);
    }

    boolean isLoaded() {
        return loaded;
    }

    S state() {
        return state;
    }

    /** The first known state (possibly {@code null}: the key does not exist). History starts here. */
    void load(S state, long seq, String snapshotFrame) {
        this.loaded = true;
        this.state = state;
        this.stateSeq = seq;
        this.snapshotFrame = snapshotFrame;
        this.ring.reset(seq);
    }

    /** A detected change; {@code state} is {@code null} for a removal. */
    void change(S state, EncodedEvent<K> event) {
        this.state = state;
        this.stateSeq = event.seq();
        this.snapshotFrame = null;
        this.ring.append(event);
    }

    /**
     * Adds what a subscriber that has seen everything up to {@code seenSeq} needs: nothing if it has the current
     * state, the changes it missed if the ring still has them all, else a snapshot.
     */
    void collectInitial(long seenSeq, long nowNanos, SnapshotEncoder<K, S> encoder, List<EncodedEvent<K>> out) {
        if (seenSeq >= stateSeq) {
            return;
        }
        if (seenSeq == EventId.UNKNOWN || !ring.collectAfter(seenSeq, nowNanos, out)) {
            out.add(snapshot(encoder, nowNanos));
        }
    }

    EncodedEvent<K> snapshot(SnapshotEncoder<K, S> encoder, long nowNanos) {
        if (snapshotFrame == null) {
            snapshotFrame = encoder.encode(key, stateSeq, state);
        }
        return new EncodedEvent<>(key, stateSeq, snapshotFrame, nowNanos);
    }

    void expireReplay(long nowNanos) {
        ring.expire(nowNanos);
    }

    void markIdle(long nowNanos) {
        idleSinceNanos = nowNanos;
    }

    boolean idleLongerThan(long retentionNanos, long nowNanos) {
        return subscribers.isEmpty() && nowNanos - idleSinceNanos >= retentionNanos;
    }

    void retire() {
        retired = true;
    }

    boolean isRetired() {
        return retired;
    }

    /** Encodes a snapshot frame of a key's current state. */
    @FunctionalInterface
    interface SnapshotEncoder<K, S> {
        String encode(K key, long seq, S state);
    }
}
