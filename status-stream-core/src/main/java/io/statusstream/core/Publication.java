package io.statusstream.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the poller may do to channels while it holds the registry's lock, in {@link ChannelRegistry#publish}. Every
 * change collects its writes into the publication's {@link Delivery}. Used only under that lock, by one thread.
 */
final class Publication<K, S> {

    private final ChannelRegistry<K, S> registry;
    private final Delivery<K, S> delivery;

    Publication(ChannelRegistry<K, S> registry, Delivery<K, S> delivery) {
        this.registry = registry;
        this.delivery = delivery;
    }

    /** The channel of a watched key, or {@code null} if it is not watched (any more). */
    KeyChannel<K, S> channel(K key) {
        KeyChannel<K, S> channel = registry.channel(key);
        return channel == null || channel.isRetired() ? null : channel;
    }

    String epoch() {
        return registry.epoch();
    }

    /** Subscribers of a key now: what one-query-per-client polling would have fetched it for. */
    int subscriberCount(K key) {
        KeyChannel<K, S> channel = registry.channel(key);
        return channel == null ? 0 : channel.subscribers.size();
    }

    /** A change of a loaded channel: stored, retained for replay and offered to every subscriber. */
    void change(KeyChannel<K, S> channel, Observed<S> observed, String snapshotData, EncodedEvent<K> live) {
        channel.change(observed, snapshotData, live);
        for (Subscriber<K, S> subscriber : channel.subscribers) {
            subscriber.offer(live, delivery);
        }
        published(live.seq());
    }

    /**
     * A first load, or the reload of a stale channel, with its history ({@code changes} after the first state,
     * oldest first): waiting subscribers get its snapshot or what they missed, and start once all their keys are
     * loaded; the others get {@code live}, if not {@code null}, directly or into {@code corrections}.
     *
     * @param corrections where to collect {@code live} per subscriber instead of offering it, or {@code null}:
     *                    channels loaded together from a shared log carry unrelated ids, which must reach each
     *                    subscriber in id order ({@link #offerInOrder})
     */
    void load(KeyChannel<K, S> channel, Observed<S> observed, long seq, String snapshotData,
              List<ChannelRegistry.Change<K, S>> changes, EncodedEvent<K> live,
              Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections, long now) {
        channel.load(observed, seq, snapshotData);
        long newest = seq;
        for (ChannelRegistry.Change<K, S> change : changes) {
            channel.change(change.observed(), change.snapshotData(), change.event());
            newest = change.event().seq();
        }
        published(newest);
        for (Subscriber<K, S> subscriber : channel.subscribers) {
            if (channel.waiting.remove(subscriber)) {
                queueInitial(channel, subscriber, now);
            } else if (live != null && corrections != null) {
                corrections.computeIfAbsent(subscriber, s -> new ArrayList<>()).add(live);
            } else if (live != null) {
                subscriber.offer(live, delivery);
            }
        }
    }

    /**
     * A subscriber that waited for this channel gets its replay (a channel loaded with history from a shared log
     * can replay what the client missed) or its snapshot; a replay that would take the subscriber's initial
     * events past the limit is sent as a snapshot instead.
     */
    private void queueInitial(KeyChannel<K, S> channel, Subscriber<K, S> subscriber, long now) {
        String epoch = registry.epoch();
        long seen = epoch.equals(subscriber.seenEpoch) ? subscriber.seenSeq : EventId.UNKNOWN;
        List<EncodedEvent<K>> initial = new ArrayList<>();
        channel.collectInitial(seen, now, epoch, initial);
        if (initial.size() > 1 && subscriber.initialEvents + initial.size() > registry.maxQueuedEvents()) {
            initial = List.of(channel.snapshot(epoch, now));
        }
        subscriber.initialEvents += initial.size();
        subscriber.enqueueAll(initial, delivery);
        if (--subscriber.unloadedKeys == 0) {
            delivery.start(subscriber, registry.absentKeys(subscriber));
        }
    }

    /** Offers each subscriber its collected events in id order. */
    void offerInOrder(Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections) {
        for (Map.Entry<Subscriber<K, S>, List<EncodedEvent<K>>> entry : corrections.entrySet()) {
            entry.getValue().sort(Comparator.comparingLong(EncodedEvent::seq));
            for (EncodedEvent<K> event : entry.getValue()) {
                entry.getKey().offer(event, delivery);
            }
        }
    }

    /** Events up to {@code seq} exist: a {@code Last-Event-ID} up to it is not from the future. */
    void published(long seq) {
        registry.published(seq);
    }

    /** A new map for {@link #load}'s corrections. */
    Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections() {
        return new HashMap<>();
    }
}
