package io.statusstream.core;

import java.util.List;

/**
 * The newest changes of one key, bounded by count and age, for {@code Last-Event-ID} replay.
 *
 * <p>It knows how far back it is complete: every change of its key with a sequence number above
 * {@link #completeAfter} is retained. A replay after a sequence number below that would have a gap, so the caller
 * sends a snapshot instead. Not thread-safe: guarded by the {@link ChannelRegistry}'s lock, with its channel.
 */
final class ReplayRing<K> {

    private final EncodedEvent<K>[] entries;
    private final long maxAgeNanos;
    private int head;
    private int size;
    private long completeAfter;

    @SuppressWarnings("unchecked")
    ReplayRing(int capacity, long maxAgeNanos, long completeAfter) {
        this.entries = (EncodedEvent<K>[]) new EncodedEvent<?>[capacity];
        this.maxAgeNanos = maxAgeNanos;
        this.completeAfter = completeAfter;
    }

    /** Retains a change, forgetting the oldest when full. */
    void append(EncodedEvent<K> change) {
        if (entries.length == 0) {
            completeAfter = change.seq();
            return;
        }
        if (size == entries.length) {
            dropOldest();
        }
        entries[(head + size) % entries.length] = change;
        size++;
    }

    /** Forgets changes older than the maximum age. */
    void expire(long nowNanos) {
        while (size > 0 && nowNanos - entries[head].createdNanos() > maxAgeNanos) {
            dropOldest();
        }
    }

    /**
     * Adds the retained changes after {@code seq}, oldest first, to {@code out}, if none is missing.
     *
     * @return {@code false}, adding nothing, if changes after {@code seq} were already forgotten
     */
    boolean collectAfter(long seq, long nowNanos, List<EncodedEvent<K>> out) {
        expire(nowNanos);
        if (seq < completeAfter) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            EncodedEvent<K> change = entries[(head + i) % entries.length];
            if (change.seq() > seq) {
                out.add(change);
            }
        }
        return true;
    }

    /** Forgets everything: history restarts after {@code seq}. */
    void reset(long seq) {
        while (size > 0) {
            dropOldest();
        }
        completeAfter = seq;
    }

    int size() {
        return size;
    }

    private void dropOldest() {
        completeAfter = entries[head].seq();
        entries[head] = null;
        head = (head + 1) % entries.length;
        size--;
    }
}
