package io.statusstream.core;

/**
 * An event as it travels to subscribers: its key (for coalescing), its sequence number (for ordering and replay),
 * its frame, encoded to UTF-8 once and shared by every subscriber (never changed once made), when it was created (for the replay age limit) and whether
 * it is a change. Immutable.
 *
 * @param createdNanos when the event was made, on the engine's clock: for a change, when the poll that found it
 *                     finished fetching (or, on a cluster member, when the shared log delivered it); for a snapshot,
 *                     when it was queued
 * @param change       whether it is a change of its key, whose age at its write is delivery lag; {@code false} for
 *                     snapshots and frames that report no change (revoked)
 */
record EncodedEvent<K>(K key, long seq, byte[] frame, long createdNanos, boolean change) {

    /** An event that is not a change: a snapshot, or a frame that reports no change. */
    EncodedEvent(K key, long seq, byte[] frame, long createdNanos) {
        this(key, seq, frame, createdNanos, false);
    }
}
