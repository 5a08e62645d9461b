package io.statusstream.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Publishes what this instance's own polls find: compares each fetched state with its channel's, encodes what
 * changed (outside any lock), numbers it with the next sequence numbers, and hands it to the registry, then to the
 * writers. The source of events in local mode, and while a cluster member polls alone.
 *
 * <p>Confined to the poller thread: only the poller changes channel state, so it reads channels without the lock.
 */
final class LocalPublisher<K, S> {

    private final ChannelRegistry<K, S> registry;
    private final SourcePoller<K, S> poller;
    private final EventEncoder<K, S> encoder;
    private final Writers writers;
    private final StreamScheduler clock;
    private final StreamMetrics metrics;
    /** The last sequence number this instance gave an event. */
    private long lastSeq;

    LocalPublisher(ChannelRegistry<K, S> registry, SourcePoller<K, S> poller, EventEncoder<K, S> encoder,
                   Writers writers, StreamScheduler clock, StreamMetrics metrics) {
        this.registry = registry;
        this.poller = poller;
        this.encoder = encoder;
        this.writers = writers;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Fetches the keys and publishes what changed to their subscribers.
     *
     * @return whether the source answered every chunk
     */
    boolean poll(List<K> keys) {
        return poller.poll(keys, this::publish);
    }

    /** Polls every watched key. */
    boolean pollAll() {
        return poll(registry.watchedKeys());
    }

    /** The last sequence number given locally: a new local epoch continues after it. */
    long lastSeq() {
        return lastSeq;
    }

    private SourcePoller.ChunkResult publish(List<K> chunk, Map<K, S> fetched) {
        List<Update<K, S>> updates = detectChanges(chunk, fetched);
        long newest = lastSeq;
        long now = clock.nanoTime();
        long[] perClientCalls = new long[1];
        Delivery<K, S> delivery = registry.publish(publication -> {
            for (Update<K, S> update : updates) {
                KeyChannel<K, S> channel = publication.channel(update.channel().key);
                if (channel != update.channel()) {
                    continue;
                }
                if (!channel.isLoaded()) {
                    publication.load(channel, update.observed(), update.seq(), update.snapshotData(), List.of(),
                            update.live(), null, now);
                } else {
                    publication.change(channel, update.observed(), update.snapshotData(), update.live());
                }
            }
            publication.published(newest);
            for (K key : chunk) {
                perClientCalls[0] += publication.subscriberCount(key);
            }
        });
        delivery.deliver(writers, metrics);
        return new SourcePoller.ChunkResult(updates.size(), perClientCalls[0]);
    }

    private List<Update<K, S>> detectChanges(List<K> chunk, Map<K, S> fetched) {
        List<Update<K, S>> updates = new ArrayList<>();
        long now = clock.nanoTime();
        String epoch = registry.epoch();
        for (K key : chunk) {
            KeyChannel<K, S> channel = registry.channel(key);
            if (channel == null) {
                continue;
            }
            S current = fetched.get(key);
            Update<K, S> update = channel.isLoaded()
                    ? detectChange(channel, current, epoch, now)
                    : detectLoad(channel, current, epoch, now);
            if (update != null) {
                lastSeq = update.seq();
                updates.add(update);
            }
        }
        return updates;
    }

    private Update<K, S> detectChange(KeyChannel<K, S> channel, S current, String epoch, long now) {
        long seq = lastSeq + 1;
        String[] snapshot = new String[1];
        EventEncoder.Difference difference = encoder.differs(channel.key, channel.observed(),
                channel.knownSnapshotData(), current,
                () -> snapshot[0] = encoder.encode(epoch, seq, channel.key, StateEvent.Kind.SNAPSHOT, current));
        if (difference != EventEncoder.Difference.CHANGED) {
            return null;
        }
        String snapshotData = snapshot[0] != null ? snapshot[0]
                : encoder.encode(epoch, seq, channel.key, StateEvent.Kind.SNAPSHOT, current);
        EncodedEvent<K> live = snapshotData == null ? null : encoder.encodeLive(epoch, seq, channel.key, current, now);
        return live == null ? null : new Update<>(channel, Observed.fetched(current), seq, snapshotData, live);
    }

    /**
     * A first load, or the reload of a stale channel: subscribers that already had its state are told only if it
     * differs from what they have.
     */
    private Update<K, S> detectLoad(KeyChannel<K, S> channel, S current, String epoch, long now) {
        long seq = lastSeq + 1;
        String snapshotData = encoder.encode(epoch, seq, channel.key, StateEvent.Kind.SNAPSHOT, current);
        if (snapshotData == null) {
            return null;
        }
        EncodedEvent<K> live = null;
        if (channel.isKnown()) {
            EventEncoder.Difference difference = encoder.differs(channel.key, channel.observed(),
                    channel.knownSnapshotData(), current, () -> snapshotData);
            if (difference == EventEncoder.Difference.UNKNOWN) {
                return null;
            }
            if (difference == EventEncoder.Difference.CHANGED) {
                live = encoder.encodeLive(epoch, seq, channel.key, current, now);
                if (live == null) {
                    return null;
                }
            }
        }
        return new Update<>(channel, Observed.fetched(current), seq, snapshotData, live);
    }

    /**
     * One detected change (of a loaded channel) or load (of an unloaded or stale one), encoded, waiting to be
     * published.
     *
     * @param live what subscribers that have an earlier state receive; {@code null} for a load that changes nothing
     *             they have
     */
    private record Update<K, S>(KeyChannel<K, S> channel, Observed<S> observed, long seq, String snapshotData,
                                EncodedEvent<K> live) {
    }
}
