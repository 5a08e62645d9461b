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
 * <p>A loaded channel always has its snapshot data: the poller encodes it before it stores a state, so a subscriber
 * that registers under the registry's lock gets a snapshot without any serializer running under that lock.
 *
 * <p>Guarded by the registry's lock; the poller, the only thread that changes the state, also reads it without the
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
    private byte[] snapshotFrame;
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

    /** Whether the known state object is at hand; {@code false} for a state from a shared log. */
    boolean stateKnown() {
        return stateKnown;
    }

    long stateSeq() {
        return stateSeq;
    }

    Observed<S> observed() {
        return new Observed<>(present, state, stateKnown);
    }

    /** The snapshot data of the known state; {@code null} only before the first load. */
    String knownSnapshotData() {
        return snapshotData;
    }

    /**
     * The first state of this epoch. History starts here.
     *
     * @param observed     whether the key exists, and its state object when known
     * @param snapshotData its snapshot's data, never {@code null}
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
        if (snapshotData == null) {
            throw new IllegalArgumentException("a state is stored with its snapshot data");
        }
        this.known = true;
        this.present = observed.present();
        this.state = observed.state();
        this.stateKnown = observed.stateKnown();
        this.stateSeq = seq;
        this.snapshotData = snapshotData;
        this.snapshotFrame = null;
    }

    /** The epoch changed: keep the state and its snapshot data for comparison, forget its id and history. */
    void markStale() {
        loaded = false;
        snapshotFrame = null;
        ring.reset(Long.MAX_VALUE);
    }

    /**
     * Adds what a subscriber that has seen everything up to {@code seenSeq} needs: nothing if it has the current
     * state, the changes it missed if the ring still has them all, else a snapshot.
     */
    void collectInitial(long seenSeq, long nowNanos, String epoch, List<EncodedEvent<K>> out) {
        if (seenSeq >= stateSeq) {
            return;
        }
        if (seenSeq == EventId.UNKNOWN || !ring.collectAfter(seenSeq, nowNanos, out)) {
            out.add(snapshot(epoch, nowNanos));
        }
    }

    /** The current state as a snapshot event in {@code epoch}; its frame is formatted once and shared. */
    EncodedEvent<K> snapshot(String epoch, long nowNanos) {
        if (snapshotFrame == null) {
            snapshotFrame = SseFrames.utf8(SseFrames.event(EventId.format(epoch, stateSeq), snapshotData));
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
}
