package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The heartbeat tick, every {@link #TICKS_PER_INTERVAL}th of the heartbeat interval: a {@code ping} for every
 * subscriber idle for at least {@code interval − tick}, so no stream is ever silent for longer than the heartbeat
 * interval (and none is pinged more often than every 7/8 of it); a retry for a drain the writers refused; the end of
 * subscribers stuck past the timeout; and the expiry of replayable changes past their age.
 * Confined to the poller thread.
 */
final class Heartbeats<K, S> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private final String name;
    private final ChannelRegistry<K, S> registry;
    private final Subscriber.Host<K, S> host;
    private final Writers writers;
    private final StreamMetrics metrics;
    /** Ticks per heartbeat interval: how finely idle streams are found. */
    static final int TICKS_PER_INTERVAL = 8;

    private final long stuckNanos;
    private final long tickNanos;
    private final long idleNanos;
    /** Poller-confined. */
    private long ticks;

    Heartbeats(Settings settings, ChannelRegistry<K, S> registry, Subscriber.Host<K, S> host, Writers writers,
               StreamMetrics metrics) {
        this.name = settings.name();
        this.registry = registry;
        this.host = host;
        this.writers = writers;
        this.metrics = metrics;
        this.stuckNanos = settings.stuckClientTimeout().toNanos();
        this.tickNanos = Math.max(1, settings.heartbeatInterval().toNanos() / TICKS_PER_INTERVAL);
        this.idleNanos = settings.heartbeatInterval().toNanos() - tickNanos;
    }

    /** How often {@link #tick()} must run. */
    long tickNanos() {
        return tickNanos;
    }

    void tick() {
        long now = host.nanoTime();
        Delivery<K, S> delivery = new Delivery<>();
        List<Subscriber<K, S>> stuck = new ArrayList<>(0);
        // Replays expire lazily when read as well; the sweep only frees memory, once per interval is enough.
        boolean sweepReplays = ++ticks % TICKS_PER_INTERVAL == 0;
        for (Subscriber<K, S> subscriber : registry.subscribers(sweepReplays, now)) {
            if (subscriber.tick(now, idleNanos, stuckNanos, delivery)) {
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
