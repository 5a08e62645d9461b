package io.statusstream.core;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the engine knows about one watched key: its current state and the sequence number that produced it,
 * its replay ring and its subscribers.
 *
 * <p>A channel is created unloaded when its key is first watched and loaded by the first fetch or shared event that
 * answers. When the engine changes epoch (it joins or leaves a {@link StreamCluster}), every channel becomes
 * <em>stale</em>: unloaded, but still knowing its last state, so the next load can tell subscribers that already have
 * that state whether anything changed. A state that came from a shared log is known by its snapshot data only
 * ({@link #stateKnown()} is {@code false}).
 *
 * <p>Guarded by the engine's lock; the poller, the only thread that changes the state, also reads it without the
 * lock.
 */
final class KeyChannel<K, S> {

    final K key;
    final Set<Subscriber<K, S>> subscribers = new HashSet<>(4);
    /** Subscribers that registered while the channel was unloaded and wait for its snapshot. */
    final Set<Subscriber<K, S>> waiting = new HashSet<>(2);
    private final ReplayRing<K> ring;
    private boolean loaded;
    private boolean known;
    private boolean present;
    private S state;
    private boolean stateKnown;
    private long stateSeq;
    private String snapshotData;
    private String snapshotFrame;
    private long idleSinceNanos;
    private boolean retired;

    KeyChannel(K key, int replaySize, long replayMaxAgeNanos) {
        this.key = key;
        this.ring = new ReplayRing<>(replaySize, replayMaxAgeNanos, Long.MAX_VALUE);
    }

    /** Has a state in the engine's current epoch. */
    boolean isLoaded() {
        return loaded;
    }

    /** Has had a state, in this epoch or an earlier one. */
    boolean isKnown() {
        return known;
    }

    boolean isPresent() {
        return present;
    }

    S state() {
        return state;
    }

    /** Whether {@link #state()} is the state object; {@code false} for a state from a shared log. */
    boolean stateKnown() {
        return stateKnown;
    }

    long stateSeq() {
        return stateSeq;
    }

    Observed<S> observed() {
        return new Observed<>(present, state, stateKnown);
    }

    /** The snapshot data kept by {@link #markStale} or given by a shared log; {@code null} if never encoded. */
    String knownSnapshotData() {
        return snapshotData;
    }

    /**
     * The first state of this epoch. History starts here.
     *
     * @param observed     whether the key exists, and its state object when known
     * @param snapshotData its snapshot's data, or {@code null} to encode it from the state when needed
     */
    void load(Observed<S> observed, long seq, String snapshotData) {
        set(observed, seq, snapshotData);
        this.loaded = true;
        this.ring.reset(seq);
    }

    /** A change within this epoch. */
    void change(Observed<S> observed, String snapshotData, EncodedEvent<K> event) {
        set(observed, event.seq(), snapshotData);
        this.ring.append(event);
    }

    private void set(Observed<S> observed, long seq, String snapshotData) {
        this.known = true;
        this.present = observed.present();
        this.state = observed.state();
        this.stateKnown = observed.stateKnown();
        this.stateSeq = seq;
        this.snapshotData = snapshotData;
        this.snapshotFrame = null;
    }

    /**
     * The epoch changed: keep the state for comparison, forget its id and history. A state the serializer cannot
     * encode is kept without snapshot data, so it compares as changed.
     */
    void markStale(SnapshotEncoder<K, S> encoder) {
        if (loaded) {
            try {
                snapshotData(encoder);
            } catch (RuntimeException unencodable) {
                snapshotData = null;
            }
        }
        loaded = false;
        snapshotFrame = null;
        ring.reset(Long.MAX_VALUE);
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
            snapshotFrame = encoder.frame(stateSeq, snapshotData(encoder));
        }
        return new EncodedEvent<>(key, stateSeq, snapshotFrame, nowNanos);
    }

    /** The data of a snapshot of the current state, encoded once. */
    String snapshotData(SnapshotEncoder<K, S> encoder) {
        if (snapshotData == null) {
            snapshotData = encoder.data(key, stateSeq, state);
        }
        return snapshotData;
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

    /** Encodes snapshots of a key's state in the engine's current epoch. */
    interface SnapshotEncoder<K, S> {

        /** The data of a snapshot event of {@code state} with sequence number {@code seq}. */
        String data(K key, long seq, S state);

        /** The frame of a snapshot with sequence number {@code seq} and the given data. */
        String frame(long seq, String data);
    }
}
