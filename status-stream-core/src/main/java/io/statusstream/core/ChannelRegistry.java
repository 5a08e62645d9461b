package io.statusstream.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The engine's channels and subscribers behind its one lock: reference counts, retention of idle keys, keys waiting
 * for their first load, the epoch and the newest published sequence number.
 *
 * <p><b>Why one lock.</b> A subscriber registers either before a change is published (and receives it live) or after
 * (and receives it in its replay or snapshot), never both or neither, and its events are queued in id order across
 * all its keys. Only code of this package runs under the lock — no source, detector, serializer, executor, sink or
 * metrics: every method that changes what subscribers must be sent returns a {@link Delivery} for the caller to
 * carry out once the lock is released.
 *
 * <p><b>Threads.</b> Request threads register and release, writer threads release, the poller publishes and changes
 * the epoch; all under the lock. {@link #channel}, {@link #watchedKeys()}, {@link #epoch()} and {@link #isClosed()}
 * are lock-free reads (the channel map is concurrent; epoch and closed are volatile).
 */
final class ChannelRegistry<K, S> {

    private final ReentrantLock lock = new ReentrantLock();
    /** Changed under {@link #lock}; concurrent so that the poller can read it without the lock. */
    private final Map<K, KeyChannel<K, S>> channels = new ConcurrentHashMap<>();
    private final Set<Subscriber<K, S>> subscribers = new HashSet<>();
    private final Set<K> keysToLoad = new LinkedHashSet<>();
    private final int replaySize;
    private final long replayAgeNanos;
    private final long retentionNanos;
    private final int maxQueuedEvents;
    /** Guarded by {@link #lock}. */
    private boolean loadScheduled;
    private long publishedSeq;
    /** Written under {@link #lock}; read anywhere. */
    private volatile String epoch = EventId.newEpoch();
    private volatile boolean closed;
    /** Whether new subscribers are refused while the open ones are ended (a drain); written under {@link #lock}. */
    private volatile boolean refusing;

    ChannelRegistry(Settings settings) {
        this.replaySize = settings.replaySize();
        this.replayAgeNanos = settings.replayMaxAge().toNanos();
        this.retentionNanos = settings.keyRetention().toNanos();
        this.maxQueuedEvents = settings.maxQueuedEvents();
    }

    String epoch() {
        return epoch;
    }

    boolean isClosed() {
        return closed;
    }

    KeyChannel<K, S> channel(K key) {
        return channels.get(key);
    }

    boolean isWatched(K key) {
        return channels.containsKey(key);
    }

    /** Every watched key, retained idle ones included, as of now. */
    List<K> watchedKeys() {
        return List.copyOf(channels.keySet());
    }

    /** {@link #watchedKeys()} as an unmodifiable set. */
    Set<K> watchedKeySet() {
        return Set.copyOf(channels.keySet());
    }

    /** Watched keys whose channel has no state in the current epoch. */
    List<K> unloadedKeys() {
        List<K> keys = new ArrayList<>();
        for (KeyChannel<K, S> channel : channels.values()) {
            if (!channel.isLoaded()) {
                keys.add(channel.key);
            }
        }
        return keys;
    }

    /**
     * Attaches a subscriber to its keys' channels and queues what it must get first: the changes it missed since
     * {@code lastEventId}, or snapshots.
     *
     * @throws StreamClosedException if the engine is closed
     */
    Registration<K, S> register(Subscriber<K, S> subscriber, String lastEventId, String streamName, long now) {
        Delivery<K, S> delivery = new Delivery<>();
        lock.lock();
        try {
            if (closed || refusing) {
                throw new StreamClosedException(streamName);
            }
            subscriber.seenEpoch = epoch;
            subscriber.seenSeq = EventId.parseSeq(lastEventId, epoch, publishedSeq);
            List<EncodedEvent<K>> initial = new ArrayList<>();
            for (K key : subscriber.keys()) {
                KeyChannel<K, S> channel = channels.computeIfAbsent(key, this::newChannel);
                channel.subscribers.add(subscriber);
                if (channel.isLoaded()) {
                    channel.collectInitial(subscriber.seenSeq, now, epoch, initial);
                } else {
                    channel.waiting.add(subscriber);
                    subscriber.unloadedKeys++;
                }
            }
            if (initial.size() > maxQueuedEvents) {
                initial = snapshotsOf(subscriber, now);
            }
            initial.sort(Comparator.comparingLong(EncodedEvent::seq));
            subscribers.add(subscriber);
            subscriber.initialEvents = initial.size();
            subscriber.enqueueAll(initial, delivery);
            if (subscriber.unloadedKeys == 0) {
                delivery.start(subscriber, absentKeys(subscriber));
            }
            boolean scheduleLoad = !keysToLoad.isEmpty() && !loadScheduled;
            loadScheduled |= scheduleLoad;
            return new Registration<>(delivery, scheduleLoad);
        } finally {
            lock.unlock();
        }
    }

    private KeyChannel<K, S> newChannel(K key) {
        keysToLoad.add(key);
        return new KeyChannel<>(key, replaySize, replayAgeNanos);
    }

    private List<EncodedEvent<K>> snapshotsOf(Subscriber<K, S> subscriber, long now) {
        List<EncodedEvent<K>> snapshots = new ArrayList<>();
        for (K key : subscriber.keys()) {
            KeyChannel<K, S> channel = channels.get(key);
            if (channel.isLoaded()) {
                snapshots.add(channel.snapshot(epoch, now));
            }
        }
        return snapshots;
    }

    /** Detaches a subscriber; a key left without subscribers is retained or unwatched. Idempotent. */
    void release(Subscriber<K, S> subscriber, long now) {
        lock.lock();
        try {
            if (!subscribers.remove(subscriber)) {
                return;
            }
            for (K key : subscriber.keys()) {
                detach(subscriber, key, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes keys away from a subscriber (see {@link Subscription#revoke}); a subscriber that waited only for revoked
     * keys to load is started, unless no key is left.
     *
     * @return the keys revoked, in subscription order: those still subscribed; none if the subscriber was released
     */
    Revocation<K, S> revoke(Subscriber<K, S> subscriber, Set<K> keys, long now) {
        Delivery<K, S> delivery = new Delivery<>();
        lock.lock();
        try {
            Set<K> revoked = new LinkedHashSet<>();
            Set<K> remaining = new LinkedHashSet<>();
            for (K key : subscriber.keys()) {
                (keys.contains(key) ? revoked : remaining).add(key);
            }
            if (revoked.isEmpty() || !subscribers.contains(subscriber)) {
                return new Revocation<>(Set.of(), delivery, subscriber.keys().isEmpty());
            }
            int waitedFor = subscriber.unloadedKeys;
            for (K key : revoked) {
                detach(subscriber, key, now);
            }
            subscriber.keys(Collections.unmodifiableSet(remaining));
            if (waitedFor > 0 && subscriber.unloadedKeys == 0 && !remaining.isEmpty()) {
                delivery.start(subscriber, absentKeys(subscriber));
            }
            return new Revocation<>(Collections.unmodifiableSet(revoked), delivery, remaining.isEmpty());
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #revoke} did: the keys revoked, a start to deliver, and whether no key is left. */
    record Revocation<K, S>(Set<K> revoked, Delivery<K, S> delivery, boolean noKeyLeft) {
    }

    /** The stream's position: the latest event published, for events that take no place of their own. */
    Position position() {
        lock.lock();
        try {
            return new Position(epoch, publishedSeq);
        } finally {
            lock.unlock();
        }
    }

    /** An epoch and the sequence number of its latest published event. */
    record Position(String epoch, long seq) {
    }

    private void detach(Subscriber<K, S> subscriber, K key, long now) {
        KeyChannel<K, S> channel = channels.get(key);
        if (channel == null) {
            return;
        }
        if (channel.waiting.remove(subscriber)) {
            subscriber.unloadedKeys--;
        }
        if (channel.subscribers.remove(subscriber) && channel.subscribers.isEmpty()) {
            if (!channel.isKnown() || retentionNanos == 0) {
                unwatch(channel);
            } else {
                channel.markIdle(now);
            }
        }
    }

    /** The keys subscribed since the last call that still wait for their first load. */
    List<K> takeKeysToLoad() {
        lock.lock();
        try {
            loadScheduled = false;
            List<K> keys = new ArrayList<>(keysToLoad);
            keysToLoad.clear();
            keys.removeIf(key -> !channels.containsKey(key) || channels.get(key).isLoaded());
            return keys;
        } finally {
            lock.unlock();
        }
    }

    /** Unwatches keys idle longer than the retention period. */
    void unwatchIdle(long now) {
        lock.lock();
        try {
            for (KeyChannel<K, S> channel : List.copyOf(channels.values())) {
                if (channel.isKnown() && channel.idleLongerThan(retentionNanos, now)) {
                    unwatch(channel);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The subscribers now, for a heartbeat tick; first forgets replayable changes past their age if asked. */
    List<Subscriber<K, S>> subscribers(boolean expireReplays, long now) {
        lock.lock();
        try {
            if (expireReplays) {
                for (KeyChannel<K, S> channel : channels.values()) {
                    channel.expireReplay(now);
                }
            }
            return List.copyOf(subscribers);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code changes} under the lock, with a view that publishes; returns what they ask of the writers. For code
     * of this package only: {@code changes} must not call user code.
     */
    Delivery<K, S> publish(Consumer<Publication<K, S>> changes) {
        Delivery<K, S> delivery = new Delivery<>();
        lock.lock();
        try {
            changes.accept(new Publication<>(this, delivery));
        } finally {
            lock.unlock();
        }
        return delivery;
    }

    /**
     * Starts a new epoch: every channel becomes stale, to be reloaded, and ids restart after {@code publishedSeq}.
     */
    void switchEpoch(String newEpoch, long newPublishedSeq) {
        lock.lock();
        try {
            epoch = newEpoch;
            publishedSeq = newPublishedSeq;
            for (KeyChannel<K, S> channel : channels.values()) {
                channel.markStale();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new subscribers from now on, while the engine stays open for the subscribers it has (a drain).
     *
     * @return the open subscribers, or {@code null} if new ones were refused already or the engine is closed
     */
    List<Subscriber<K, S>> refuseNew() {
        lock.lock();
        try {
            if (closed || refusing) {
                return null;
            }
            refusing = true;
            return List.copyOf(subscribers);
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new subscribers from now on. @return the open subscribers, or {@code null} if already closed */
    List<Subscriber<K, S>> close() {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            closed = true;
            return List.copyOf(subscribers);
        } finally {
            lock.unlock();
        }
    }

    /** Unwatches every key; after {@link #close()} and the release of every subscriber. */
    void unwatchAll() {
        lock.lock();
        try {
            for (KeyChannel<K, S> channel : List.copyOf(channels.values())) {
                unwatch(channel);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Subscribers, watched keys and the newest published sequence number, read together. */
    Counts counts() {
        lock.lock();
        try {
            return new Counts(subscribers.size(), channels.size(), publishedSeq);
        } finally {
            lock.unlock();
        }
    }

    private void unwatch(KeyChannel<K, S> channel) {
        channels.remove(channel.key);
        keysToLoad.remove(channel.key);
        channel.retire();
    }

    /** Events up to {@code seq} exist: a {@code Last-Event-ID} up to it is not from the future. Under the lock. */
    void published(long seq) {
        publishedSeq = Math.max(publishedSeq, seq);
    }

    int maxQueuedEvents() {
        return maxQueuedEvents;
    }

    /** The keys of a started subscriber that the source does not have. Under the lock. */
    Set<K> absentKeys(Subscriber<K, S> subscriber) {
        Set<K> absent = new LinkedHashSet<>();
        for (K key : subscriber.keys()) {
            if (!channels.get(key).isPresent()) {
                absent.add(key);
            }
        }
        return Collections.unmodifiableSet(absent);
    }

    /** A subscription's registration: what to write now, and whether the caller must schedule a load. */
    record Registration<K, S>(Delivery<K, S> delivery, boolean scheduleLoad) {
    }

    /** Gauges read under the lock. */
    record Counts(int subscribers, int watchedKeys, long publishedSeq) {
    }

    /** A change in a channel's history as a load brings it: the state after it, and its event. */
    record Change<K, S>(Observed<S> observed, String snapshotData, EncodedEvent<K> event) {
    }
}
