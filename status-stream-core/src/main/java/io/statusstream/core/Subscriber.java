package io.statusstream.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One client: its keys, its bounded queue of undelivered events and the drain that writes them to its sink.
 *
 * <p>The queue holds at most one live event per key, because a newer state of a key replaces an undelivered older
 * one (moved to the tail, so ids stay increasing), plus the initial replay, which the engine bounds. At most one
 * drain runs at a time, on a writer thread. Nothing is written before {@link #ready()} completes, so a transport
 * can still refuse the stream. Queue state is guarded by this object's monitor; {@link #unloadedKeys} by the
 * engine's lock.
 */
final class Subscriber<K, S> implements Subscription<K> {

    private static final long IDLE = Long.MIN_VALUE;

    private final PollingStatusStream<K, S> stream;
    private final Set<K> keys;
    private final EventSink sink;
    private final CompletableFuture<Set<K>> ready = new CompletableFuture<>();

    private final ArrayDeque<EncodedEvent<K>> queue = new ArrayDeque<>(4);
    private String preamble;
    private boolean started;
    private boolean draining;
    private boolean heartbeatDue;
    private boolean wroteSinceTick;
    private boolean closed;
    /** When undelivered work appeared without a write completing since; {@link #IDLE} when there is none. */
    private long waitingSinceNanos = IDLE;

    /** Keys whose first fetch has not answered yet; guarded by the engine's lock. */
    int unloadedKeys;
    /** What the client had seen when it subscribed, and in which epoch; guarded by the engine's lock. */
    long seenSeq = EventId.UNKNOWN;
    String seenEpoch;

    Subscriber(PollingStatusStream<K, S> stream, Set<K> keys, EventSink sink, String preamble) {
        this.stream = stream;
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
        stream.release(this, CloseReason.CLOSED_BY_OWNER);
    }

    /** Queues events in the given order, without coalescing: the initial replay or snapshots. */
    synchronized void enqueueAll(List<EncodedEvent<K>> events) {
        if (!closed) {
            queue.addAll(events);
            scheduleDrain();
        }
    }

    /**
     * Queues a live event; an undelivered older event of the same key is dropped.
     *
     * @return how many undelivered events it replaced
     */
    synchronized int offer(EncodedEvent<K> event) {
        if (closed) {
            return 0;
        }
        int replaced = 0;
        for (Iterator<EncodedEvent<K>> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().key().equals(event.key())) {
                it.remove();
                replaced++;
            }
        }
        queue.add(event);
        scheduleDrain();
        return replaced;
    }

    /**
     * Every key is loaded: complete {@link #ready()} with the absent keys, then start writing. What was queued so far
     * is put in id order first: keys loaded one by one (each with its replay) queue their events key by key.
     */
    void start(Set<K> absentKeys) {
        synchronized (this) {
            if (closed) {
                return;
            }
            List<EncodedEvent<K>> queued = new ArrayList<>(queue);
            queued.sort(Comparator.comparingLong(EncodedEvent::seq));
            queue.clear();
            queue.addAll(queued);
            started = true;
            draining = true;
            waitingSinceNanos = stream.nanoTime();
        }
        stream.execute(() -> {
            ready.complete(absentKeys);
            drain();
        }, this);
    }

    /**
     * The heartbeat tick: queues a heartbeat if nothing was written since the previous tick.
     *
     * @return {@code true} if the subscriber is stuck: undelivered work waited longer than the timeout
     */
    synchronized boolean tick(long nowNanos, long stuckTimeoutNanos) {
        if (closed || !started) {
            return false;
        }
        if (waitingSinceNanos != IDLE) {
            return nowNanos - waitingSinceNanos >= stuckTimeoutNanos;
        }
        if (!wroteSinceTick) {
            heartbeatDue = true;
            scheduleDrain();
        }
        wroteSinceTick = false;
        return false;
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

    private void scheduleDrain() {
        if (waitingSinceNanos == IDLE) {
            waitingSinceNanos = stream.nanoTime();
        }
        if (started && !draining) {
            draining = true;
            stream.execute(this::drain, this);
        }
    }

    /** Called when the writer executor refused the drain (the stream is closing). */
    synchronized void drainRejected() {
        draining = false;
    }

    private void drain() {
        while (true) {
            String frames;
            int events;
            synchronized (this) {
                if (closed || (queue.isEmpty() && preamble == null && !heartbeatDue)) {
                    draining = false;
                    return;
                }
                events = queue.size();
                frames = takeFrames();
            }
            try {
                sink.write(frames);
            } catch (Exception | LinkageError failure) {
                stream.writeFailed(this, failure);
                return;
            }
            synchronized (this) {
                wroteSinceTick = true;
                waitingSinceNanos = queue.isEmpty() ? IDLE : stream.nanoTime();
            }
            stream.written(events);
        }
    }

    private String takeFrames() {
        if (queue.isEmpty() && preamble == null) {
            heartbeatDue = false;
            return SseFrames.HEARTBEAT;
        }
        StringBuilder frames = new StringBuilder(preamble == null ? 256 : 256 + preamble.length());
        if (preamble != null) {
            frames.append(preamble);
            preamble = null;
        }
        for (EncodedEvent<K> event : queue) {
            frames.append(event.frame());
        }
        queue.clear();
        heartbeatDue = false;
        return frames.toString();
    }

    @Override
    public String toString() {
        return "Subscription" + keys;
    }
}
