package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The heartbeat tick: a {@code ping} for every subscriber that wrote nothing since the previous tick, a retry for a
 * drain the writers refused, the end of subscribers stuck past the timeout, and the expiry of replayable changes
 * past their age. Confined to the poller thread.
 */
final class Heartbeats<K, S> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private final String name;
    private final ChannelRegistry<K, S> registry;
    private final Subscriber.Host<K, S> host;
    private final Writers writers;
    private final StreamMetrics metrics;
    private final long stuckNanos;

    Heartbeats(Settings settings, ChannelRegistry<K, S> registry, Subscriber.Host<K, S> host, Writers writers,
               StreamMetrics metrics) {
        this.name = settings.name();
        this.registry = registry;
        this.host = host;
        this.writers = writers;
        this.metrics = metrics;
        this.stuckNanos = settings.stuckClientTimeout().toNanos();
    }

    void tick() {
        long now = host.nanoTime();
        Delivery<K, S> delivery = new Delivery<>();
        List<Subscriber<K, S>> stuck = new ArrayList<>(0);
        for (Subscriber<K, S> subscriber : registry.expireReplays(now)) {
            if (subscriber.tick(now, stuckNanos, delivery)) {
                stuck.add(subscriber);
            }
        }
        delivery.deliver(writers, metrics);
        for (Subscriber<K, S> subscriber : stuck) {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': closing stuck " + subscriber);
            host.release(subscriber, CloseReason.STUCK);
        }
    }
}
