package io.statusstream.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One client: its keys, its bounded queue of undelivered events and the drain that writes them to its sink.
 *
 * <p>The queue holds at most one live event per key, because a newer state of a key replaces an undelivered older
 * one (moved to the tail, so ids stay increasing), plus the initial replay, which the registry bounds. At most one
 * drain runs at a time, on a writer thread. Nothing is written before {@link #ready()} completes, so a transport
 * can still refuse the stream.
 *
 * <p><b>Ownership.</b> Queue and drain state are guarded by this object's monitor, which is never held while the
 * sink, the executor or any other code outside this class runs: a method that finds a drain must start says so to
 * its caller ({@link Delivery}), which starts it once every lock is released. {@link #unloadedKeys},
 * {@link #initialEvents}, {@link #seenSeq} and {@link #seenEpoch} are guarded by the registry's lock. Lock order:
 * registry, then this monitor.
 */
final class Subscriber<K, S> implements Subscription<K> {

    private static final long IDLE = Long.MIN_VALUE;

    private final Host<K, S> host;
    /** The keys still subscribed; replaced (never changed) under the registry's lock when keys are revoked. */
    private volatile Set<K> keys;
    private final EventSink sink;
    private final CompletableFuture<Set<K>> ready = new CompletableFuture<>();

    private final ArrayDeque<EncodedEvent<K>> queue = new ArrayDeque<>(4);
    private String preamble;
    private boolean started;
    private boolean draining;
    private boolean heartbeatDue;
    /** Why the stream is being ended: its end event is written once the queue is empty; {@code null} until then. */
    private EndReason ending;
    /** The frames that end the stream, written once the queue is empty; set with {@link #ending}. */
    private byte[] endFrames;
    /** When the last write completed (or the subscriber started): a heartbeat is due an interval after it. */
    private long lastWriteNanos;
    private boolean closed;
    /** When undelivered work appeared without a write completing since; {@link #IDLE} when there is none. */
    private long waitingSinceNanos = IDLE;
    /** The keys absent from the source when every key was loaded; set once, by {@link #start}. */
    private volatile Set<K> absentKeys;

    /** Keys whose first load has not answered yet; guarded by the registry's lock. */
    int unloadedKeys;
    /** Events queued before the start (replays and snapshots), bounded by the registry; guarded by its lock. */
    int initialEvents;
    /** What the client had seen when it subscribed, and in which epoch; guarded by the registry's lock. */
    long seenSeq = EventId.UNKNOWN;
    String seenEpoch;

    Subscriber(Host<K, S> host, Set<K> keys, EventSink sink, String preamble) {
        this.host = host;
        this.keys = keys;
        this.sink = sink;
        this.preamble = preamble;
    }

    @Override
    public Set<K> keys() {
        return keys;
    }

    @Override
    public CompletionStage<Set<K>> ready() {
        return ready.minimalCompletionStage();
    }

    @Override
    public synchronized boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        host.release(this, CloseReason.CLOSED_BY_OWNER);
    }

    @Override
    public void probe() {
        host.probe(this);
    }

    @Override
    public Set<K> revoke(Collection<? extends K> revokedKeys) {
        return host.revoke(this, revokedKeys);
    }

    @Override
    public void end(EndReason reason) {
        host.end(this, Objects.requireNonNull(reason, "reason"));
    }

    /** Replaces the keys; under the registry's lock. */
    void keys(Set<K> remaining) {
        keys = remaining;
    }

    /** Queues events in the given order, without coalescing: the initial replay or snapshots. */
    synchronized void enqueueAll(List<EncodedEvent<K>> events, Delivery<K, S> delivery) {
        if (!closed && ending == null && !events.isEmpty()) {
            queue.addAll(events);
            scheduleDrain(delivery);
        }
    }

    /** Queues a live event; an undelivered older event of the same key is dropped and counted in {@code delivery}. */
    synchronized void offer(EncodedEvent<K> event, Delivery<K, S> delivery) {
        if (closed || ending != null) {
            return;
        }
        for (Iterator<EncodedEvent<K>> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().key().equals(event.key())) {
                it.remove();
                delivery.coalesced();
            }
        }
        queue.add(event);
        scheduleDrain(delivery);
    }

    /**
     * Every key is loaded: what was queued so far is put in id order (keys loaded one by one queue their events key
     * by key), and the first drain will complete {@link #ready()} with the absent keys before it writes.
     *
     * @return whether the caller must start the first drain
     */
    synchronized boolean start(Set<K> absentKeys) {
        if (closed) {
            return false;
        }
        this.absentKeys = absentKeys;
        List<EncodedEvent<K>> queued = new ArrayList<>(queue);
        queued.sort(Comparator.comparingLong(EncodedEvent::seq));
        queue.clear();
        queue.addAll(queued);
        started = true;
        draining = true;
        waitingSinceNanos = host.nanoTime();
        lastWriteNanos = waitingSinceNanos;
        return true;
    }

    /**
     * The heartbeat tick: queues a heartbeat if nothing was written for {@code idleNanos}, and retries a drain the
     * writer executor refused.
     *
     * @return {@code true} if the subscriber is stuck: undelivered work waited longer than the timeout
     */
    synchronized boolean tick(long nowNanos, long idleNanos, long stuckTimeoutNanos, Delivery<K, S> delivery) {
        if (closed || !started) {
            return false;
        }
        if (waitingSinceNanos != IDLE) {
            if (nowNanos - waitingSinceNanos >= stuckTimeoutNanos) {
                return true;
            }
            scheduleDrain(delivery);
            return false;
        }
        if (nowNanos - lastWriteNanos >= idleNanos) {
            heartbeatDue = true;
            scheduleDrain(delivery);
        }
        return false;
    }

    /**
     * Keys were revoked: their undelivered events are dropped (nothing more of them may reach the client) and their
     * {@code revoked} frames queued.
     */
    synchronized void revoked(Set<K> revokedKeys, List<EncodedEvent<K>> frames, Delivery<K, S> delivery) {
        if (closed) {
            return;
        }
        queue.removeIf(event -> revokedKeys.contains(event.key()));
        if (ending == null && !frames.isEmpty()) {
            queue.addAll(frames);
            scheduleDrain(delivery);
        }
    }

    /**
     * Ends the stream: what is queued is written, then {@code endFrames} (the end event, with whatever must precede
     * it, such as a retry hint), then the subscriber is released. Nothing queued after this call is written.
     *
     * @return {@code false} if the subscriber has not started (nothing may be written to it yet): the caller releases
     *         it at once
     */
    synchronized boolean beginEnd(EndReason reason, String endFrames, Delivery<K, S> delivery) {
        if (closed || ending != null) {
            return true;
        }
        ending = reason;
        this.endFrames = SseFrames.utf8(endFrames);
        if (!started) {
            return false;
        }
        scheduleDrain(delivery);
        return true;
    }

    /** A heartbeat however recently something was written: see {@link Subscription#probe()}. */
    synchronized void heartbeatNow(Delivery<K, S> delivery) {
        if (closed || !started) {
            return;
        }
        heartbeatDue = true;
        scheduleDrain(delivery);
    }

    /** @return {@code true} the first time, when this call closed it */
    boolean markClosed() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            queue.clear();
            preamble = null;
        }
        ready.cancel(false);
        return true;
    }

    EventSink sink() {
        return sink;
    }

    synchronized int queuedEvents() {
        return queue.size();
    }

    private void scheduleDrain(Delivery<K, S> delivery) {
        if (waitingSinceNanos == IDLE) {
            waitingSinceNanos = host.nanoTime();
        }
        if (started && !draining) {
            draining = true;
            delivery.drain(this);
        }
    }

    /** The writer executor refused the drain: the next tick or offer tries again. */
    synchronized void drainRefused() {
        draining = false;
    }

    /**
     * Writes until the queue is empty; on a writer thread, one drain at a time. The first one completes
     * {@link #ready()}, on the writer thread, before anything is written.
     */
    void drain() {
        if (!ready.isDone()) {
            ready.complete(absentKeys);
        }
        while (true) {
            Frames frames;
            int events;
            long changedNanos = IDLE;
            boolean last = false;
            synchronized (this) {
                if (closed || (queue.isEmpty() && preamble == null && !heartbeatDue && ending == null)) {
                    draining = false;
                    return;
                }
                if (queue.isEmpty() && preamble == null && ending != null) {
                    frames = Frames.ofChunks(List.of(endFrames));
                    events = 0;
                    last = true;
                } else {
                    events = queue.size();
                    changedNanos = oldestChangeNanos();
                    frames = takeFrames();
                }
            }
            try {
                sink.write(frames);
            } catch (Exception | LinkageError | AssertionError failure) {
                host.writeFailed(this, failure);
                return;
            }
            if (last) {
                host.release(this, CloseReason.ENDED);
                return;
            }
            long now = host.nanoTime();
            synchronized (this) {
                lastWriteNanos = now;
                waitingSinceNanos = queue.isEmpty() ? IDLE : now;
            }
            host.written(events, changedNanos == IDLE ? -1 : Math.max(0, now - changedNanos));
        }
    }

    /**
     * When the oldest change about to be written was detected; {@link #IDLE} if none is, or if this is the first
     * write: it carries the snapshots and replay queued before the start, whose age is not delivery lag (a replayed
     * change is as old as the client's disconnection), and changes that waited for the other keys' first load.
     */
    private long oldestChangeNanos() {
        if (preamble != null) {
            return IDLE;
        }
        long oldest = IDLE;
        for (EncodedEvent<K> event : queue) {
            if (event.change() && (oldest == IDLE || event.createdNanos() - oldest < 0)) {
                oldest = event.createdNanos();
            }
        }
        return oldest;
    }

    private Frames takeFrames() {
        if (queue.isEmpty() && preamble == null) {
            heartbeatDue = false;
            return Frames.ofChunks(List.of(host.heartbeatFrame()));
        }
        List<byte[]> chunks = new ArrayList<>(queue.size() + 2);
        boolean first = preamble != null;
        if (first) {
            chunks.add(SseFrames.utf8(preamble));
            preamble = null;
        }
        for (EncodedEvent<K> event : queue) {
            chunks.add(event.frame());
        }
        if (first) {
            // After the first events: the client learns the heartbeat interval at once, its watchdog need not guess.
            chunks.add(host.heartbeatFrame());
        }
        queue.clear();
        heartbeatDue = false;
        return Frames.ofChunks(chunks);
    }

    @Override
    public String toString() {
        return "Subscription" + keys;
    }

    /** What a subscriber needs from its engine; every method is safe from any thread and holds no lock on return. */
    interface Host<K, S> {

        /** The engine's clock. */
        long nanoTime();

        /** Ends the subscriber, once, and releases its keys. */
        void release(Subscriber<K, S> subscriber, CloseReason reason);

        /** Starts a drain with a heartbeat for the subscriber, once no lock is held. */
        void probe(Subscriber<K, S> subscriber);

        /** The heartbeat event of this engine, encoded; shared, never changed. */
        byte[] heartbeatFrame();

        /** Revokes keys of the subscriber, see {@link Subscription#revoke}; returns those revoked. */
        Set<K> revoke(Subscriber<K, S> subscriber, Collection<? extends K> keys);

        /** Ends the subscriber's stream with an end event, see {@link Subscription#end}. */
        void end(Subscriber<K, S> subscriber, EndReason reason);

        /** A write to the sink threw: the client is gone. */
        void writeFailed(Subscriber<K, S> subscriber, Throwable failure);

        /**
         * A write completed with this many events ({@code 0}: a heartbeat); {@code lagNanos} is how long after its
         * detection the oldest change in it was written, {@code -1} if the write is not timed (no change in it, or the
         * first write).
         */
        void written(int events, long lagNanos);
    }
}
