package io.statusstream.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a change to the registry asks of the writers, collected under the registry's lock and carried out after it
 * is released: drains to start, subscribers to start (their {@code ready()} to complete), replaced events to count.
 * So no executor, sink or metrics call ever runs under the lock, and one that fails or runs inline cannot disturb an
 * iteration over the registry's subscribers.
 *
 * <p>Not thread-safe: filled by one thread (under the registry's lock, or by a heartbeat tick under subscribers'
 * monitors), then {@linkplain #deliver delivered} once by the same thread with no lock held.
 */
final class Delivery<K, S> {

    private final List<Subscriber<K, S>> drains = new ArrayList<>();
    private int coalesced;

    /** The subscriber has queued work and no drain running. */
    void drain(Subscriber<K, S> subscriber) {
        drains.add(subscriber);
    }

    /** Every key of the subscriber is loaded: complete its {@code ready()} with these keys, then write. */
    void start(Subscriber<K, S> subscriber, Set<K> absentKeys) {
        if (subscriber.start(absentKeys)) {
            drains.add(subscriber);
        }
    }

    /** An undelivered event was replaced by a newer state of its key. */
    void coalesced() {
        coalesced++;
    }

    /** Starts every collected drain on the writers; one that is refused or fails costs no other subscriber. */
    void deliver(Writers writers, StreamMetrics metrics) {
        for (Subscriber<K, S> subscriber : drains) {
            writers.drain(subscriber);
        }
        for (int i = 0; i < coalesced; i++) {
            metrics.eventCoalesced();
        }
    }
}
