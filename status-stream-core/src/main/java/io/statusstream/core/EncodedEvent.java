package io.statusstream.core;

/**
 * An event as it travels to subscribers: its key (for coalescing), its sequence number (for ordering and replay),
 * its frame, encoded once and shared by every subscriber, and when it was created (for the replay age limit).
 * Immutable.
 */
record EncodedEvent<K>(K key, long seq, String frame, long createdNanos) {
}
