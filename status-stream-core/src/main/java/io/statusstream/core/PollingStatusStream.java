package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The engine behind {@link StatusStream}.
 *
 * <p><b>Threads.</b> Polls, loads, hint polls and heartbeat ticks run as tasks of the {@link StreamScheduler}, one at
 * a time, so polls never overlap and all sequence numbers are assigned by one thread, in publish order. Writes run
 * on the writer executor. Requests call {@link #subscribe}, {@link #touch} and {@link #release} from any thread.
 *
 * <p><b>Locking.</b> One lock guards channels, subscribers and the published sequence number. A poll fetches and
 * encodes outside it, then takes it once per chunk to publish: so a subscriber registers either before a change
 * (and receives it live) or after (and receives it in its replay or snapshot), never both or neither, and its
 * events are queued in id order across all its keys. Lock order: engine lock, then a subscriber's monitor.
 *
 * <p><b>Cluster.</b> With a {@link StreamCluster}, the poller also runs the {@link ClusterLeader} role while this
 * instance holds the lease, and fans out from the shared log instead of polling alone while in
 * {@link StreamStats.Mode#CLUSTER} mode. Mode and epoch change on the poller only, under the lock: every channel
 * becomes stale and is reloaded in the new epoch, telling subscribers only what really changed.
 */
final class PollingStatusStream<K, S> implements StatusStream<K, S> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());
    private static final int DEFAULT_PLATFORM_WRITERS = 64;

    private final Settings settings;
    private final StateSource<K, S> source;
    private final ChangeDetector<S> detector;
    private final ChangeNotifier<K> notifier;
    private final StreamCluster<K> cluster;
    private final ClusterLeader<K, S> leader;
    private final ClusterMember clusterMember = new ClusterMember();
    private final EventSerializer<K, S> serializer;
    private final StreamMetrics metrics;
    private final Executor writers;
    private final StreamScheduler scheduler;
    private final boolean ownsWriters;
    private final boolean ownsScheduler;
    private final long heartbeatNanos;
    private final long stuckNanos;
    private final long retentionNanos;
    private final long replayAgeNanos;

    private final ReentrantLock lock = new ReentrantLock();
    /** Mutated under {@link #lock}; concurrent so the poller can list keys without it. */
    private final Map<K, KeyChannel<K, S>> channels = new ConcurrentHashMap<>();
    private final Set<Subscriber<K, S>> subscribers = new HashSet<>();
    private final Set<K> keysToLoad = new LinkedHashSet<>();
    private boolean loadScheduled;
    private long publishedSeq;
    private boolean closed;
    /** Written on the poller under {@link #lock}; read anywhere. */
    private volatile String epoch = EventId.newEpoch();
    private volatile StreamStats.Mode mode;
    private volatile String clusterFailure;

    /** Poller-confined. */
    private long nextSeq;
    private long outageStartNanos;
    private final Set<K> unencodableKeys = new HashSet<>();
    private StreamScheduler.Cancellable pollTask;
    private StreamScheduler.Cancellable heartbeatTask;

    /** Written by the poller, read by {@link #stats()}. */
    private volatile int consecutiveFailures;
    private volatile String lastFailure;

    private final Set<K> touchedKeys = ConcurrentHashMap.newKeySet();
    /** Keys hinted to this instance as the cluster's leader, and whether a full round was asked for. */
    private final Set<K> hintedKeys = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean hintPollScheduled = new AtomicBoolean();
    private final AtomicBoolean roundHinted = new AtomicBoolean();
    private final AtomicBoolean touchPollScheduled = new AtomicBoolean();
    private final AtomicBoolean fullPollScheduled = new AtomicBoolean();

    private PollingStatusStream(Settings settings, StateSource<K, S> source, ChangeDetector<S> detector,
                                ChangeNotifier<K> notifier, StreamCluster<K> cluster, EventSerializer<K, S> serializer,
                                StreamMetrics metrics, Executor writers, StreamScheduler scheduler) {
        this.settings = settings;
        this.source = source;
        this.detector = detector;
        this.notifier = notifier;
        this.cluster = cluster;
        this.leader = cluster == null ? null : new ClusterLeader<>(this, cluster);
        this.mode = cluster == null ? StreamStats.Mode.LOCAL : StreamStats.Mode.LOCAL_FALLBACK;
        this.clusterFailure = cluster == null ? null : "not joined yet";
        this.serializer = serializer;
        this.metrics = metrics;
        this.ownsWriters = writers == null;
        this.writers = ownsWriters ? defaultWriters(settings.name()) : writers;
        this.ownsScheduler = scheduler == null;
        this.scheduler = ownsScheduler ? StreamScheduler.singleThread(settings.name() + "-poller") : scheduler;
        this.heartbeatNanos = settings.heartbeatInterval().toNanos();
        this.stuckNanos = settings.stuckClientTimeout().toNanos();
        this.retentionNanos = settings.keyRetention().toNanos();
        this.replayAgeNanos = settings.replayMaxAge().toNanos();
    }

    static <K, S> StatusStream<K, S> start(Settings settings, StateSource<K, S> source, ChangeDetector<S> detector,
                                           ChangeNotifier<K> notifier, StreamCluster<K> cluster,
                                           EventSerializer<K, S> serializer, StreamMetrics metrics, Executor writers,
                                           StreamScheduler scheduler) {
        PollingStatusStream<K, S> stream = new PollingStatusStream<>(settings, source, detector, notifier, cluster,
                serializer, metrics, writers, scheduler);
        stream.start();
        return stream;
    }

    private void start() {
        try {
            notifier.start(hintListener());
        } catch (RuntimeException failure) {
            releaseOwnedThreads();
            throw failure;
        }
        if (cluster != null) {
            try {
                cluster.start(clusterMember);
            } catch (RuntimeException failure) {
                notifier.close();
                releaseOwnedThreads();
                throw failure;
            }
        }
        pollTask = scheduler.schedule(this::periodicPoll, settings.pollInterval());
        heartbeatTask = scheduler.schedule(this::heartbeatTick, settings.heartbeatInterval());
        LOG.log(Level.INFO, () -> "Status stream '" + settings.name() + "' started: " + settings
                + ", source " + source + ", notifier " + notifier + (cluster == null ? "" : ", cluster " + cluster)
                + ", epoch " + epoch);
    }

    /**
     * Whether this instance acts on its notifier's hints itself: always, unless the notifier is a broadcast one and
     * the instance follows a cluster's log, where only the cluster's poller acts on them.
     */
    private boolean actsOnBroadcastAlone() {
        return cluster == null || !notifier.broadcast() || isAlone();
    }

    private ChangeNotifier.Listener<K> hintListener() {
        return new ChangeNotifier.Listener<>() {
            @Override
            public void keysChanged(Collection<? extends K> keys) {
                if (actsOnBroadcastAlone()) {
                    touch(keys);
                } else if (cluster.leaderToken() != 0) {
                    clusterMember.hinted(List.copyOf(keys));
                }
                // else: the cluster's poller received the same notification.
            }

            @Override
            public void resync() {
                if (actsOnBroadcastAlone()) {
                    pollNow();
                } else if (cluster.leaderToken() != 0) {
                    clusterMember.hinted(List.of());
                }
            }
        };
    }

    @Override
    public String name() {
        return settings.name();
    }

    // ---------------------------------------------------------------------------------------------- subscribing

    @Override
    public Subscription<K> subscribe(Collection<? extends K> keys, String lastEventId, EventSink sink) {
        Objects.requireNonNull(sink, "sink");
        Set<K> keySet = new LinkedHashSet<>(keys.size() * 2);
        for (K key : keys) {
            keySet.add(Objects.requireNonNull(key, "keys must not contain null"));
        }
        if (keySet.isEmpty()) {
            throw new IllegalArgumentException("a subscription needs at least one key");
        }
        Subscriber<K, S> subscriber = new Subscriber<>(this, Collections.unmodifiableSet(keySet), sink, retryHint());
        boolean scheduleLoad;
        lock.lock();
        try {
            if (closed) {
                throw new StreamClosedException(name());
            }
            subscriber.seenEpoch = epoch;
            subscriber.seenSeq = EventId.parseSeq(lastEventId, epoch, publishedSeq);
            scheduleLoad = register(subscriber, subscriber.seenSeq);
        } catch (RuntimeException serializerFailed) {
            release(subscriber, CloseReason.CLOSED_BY_OWNER);
            throw serializerFailed;
        } finally {
            lock.unlock();
        }
        if (scheduleLoad) {
            scheduler.schedule(this::loadNewKeys, Duration.ZERO);
        }
        metrics.subscriberOpened();
        return subscriber;
    }

    /** Attaches a subscriber to its channels and queues its initial events; under the lock. */
    private boolean register(Subscriber<K, S> subscriber, long seenSeq) {
        long now = nanoTime();
        List<EncodedEvent<K>> initial = new ArrayList<>();
        for (K key : subscriber.keys()) {
            KeyChannel<K, S> channel = channels.get(key);
            if (channel == null) {
                channel = new KeyChannel<>(key, settings.replaySize(), replayAgeNanos);
                channels.put(key, channel);
                keysToLoad.add(key);
            }
            channel.subscribers.add(subscriber);
            if (channel.isLoaded()) {
                channel.collectInitial(seenSeq, now, snapshots, initial);
            } else {
                channel.waiting.add(subscriber);
                subscriber.unloadedKeys++;
            }
        }
        if (initial.size() > settings.maxQueuedEvents()) {
            initial.clear();
            for (K key : subscriber.keys()) {
                KeyChannel<K, S> channel = channels.get(key);
                if (channel.isLoaded()) {
                    initial.add(channel.snapshot(snapshots, now));
                }
            }
        }
        initial.sort(Comparator.comparingLong(EncodedEvent::seq));
        subscribers.add(subscriber);
        subscriber.enqueueAll(initial);
        if (subscriber.unloadedKeys == 0) {
            subscriber.start(absentKeys(subscriber));
        }
        boolean scheduleLoad = !keysToLoad.isEmpty() && !loadScheduled;
        loadScheduled |= scheduleLoad;
        return scheduleLoad;
    }

    /** Ends a subscriber, once; releases its keys. Safe from any thread. */
    void release(Subscriber<K, S> subscriber, CloseReason reason) {
        if (!subscriber.markClosed()) {
            return;
        }
        long now = nanoTime();
        lock.lock();
        try {
            subscribers.remove(subscriber);
            for (K key : subscriber.keys()) {
                KeyChannel<K, S> channel = channels.get(key);
                if (channel == null) {
                    continue;
                }
                channel.waiting.remove(subscriber);
                if (channel.subscribers.remove(subscriber) && channel.subscribers.isEmpty()) {
                    if (!channel.isKnown() || retentionNanos == 0) {
                        unwatch(channel);
                    } else {
                        channel.markIdle(now);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        safely(() -> metrics.subscriberClosed(reason));
        if (reason != CloseReason.CLOSED_BY_OWNER) {
            execute(() -> subscriber.sink().close(reason), null);
        }
    }

    void writeFailed(Subscriber<K, S> subscriber, Throwable failure) {
        LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "': write to " + subscriber + " failed, closing it",
                failure);
        release(subscriber, CloseReason.WRITE_FAILED);
    }

    void written(int events) {
        if (events > 0) {
            safely(() -> metrics.eventsSent(events));
        } else {
            safely(metrics::heartbeatSent);
        }
    }

    private void unwatch(KeyChannel<K, S> channel) {
        channels.remove(channel.key);
        keysToLoad.remove(channel.key);
        channel.retire();
    }

    private Set<K> absentKeys(Subscriber<K, S> subscriber) {
        Set<K> absent = new LinkedHashSet<>();
        for (K key : subscriber.keys()) {
            if (!channels.get(key).isPresent()) {
                absent.add(key);
            }
        }
        return Collections.unmodifiableSet(absent);
    }

    private String retryHint() {
        long jitter = settings.reconnectJitter().toMillis();
        long millis = settings.reconnectDelay().toMillis() + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter + 1));
        return SseFrames.retry(millis);
    }

    // ------------------------------------------------------------------------------------------------- polling

    @Override
    public void touch(Collection<? extends K> keys) {
        boolean alone = isAlone();
        for (K key : keys) {
            // In a cluster the key may be watched on another instance only: the leader decides.
            if (key != null && (!alone || channels.containsKey(key))) {
                touchedKeys.add(key);
            }
        }
        if (!touchedKeys.isEmpty() && touchPollScheduled.compareAndSet(false, true)) {
            scheduleSafely(this::pollTouched);
        }
    }

    @Override
    public void pollNow() {
        if (fullPollScheduled.compareAndSet(false, true)) {
            scheduleSafely(() -> {
                fullPollScheduled.set(false);
                if (isAlone()) {
                    poll(List.copyOf(channels.keySet()));
                } else {
                    hintCluster(List.of());
                }
            });
        }
    }

    private void pollTouched() {
        touchPollScheduled.set(false);
        boolean alone = isAlone();
        List<K> keys = new ArrayList<>(touchedKeys.size());
        for (Iterator<K> it = touchedKeys.iterator(); it.hasNext(); ) {
            K key = it.next();
            it.remove();
            if (!alone || channels.containsKey(key)) {
                keys.add(key);
            }
        }
        if (alone) {
            poll(keys);
        } else if (!keys.isEmpty()) {
            hintCluster(keys);
        }
    }

    /** Whether this instance polls its own keys: no cluster, or not joined to it. */
    private boolean isAlone() {
        StreamStats.Mode current = mode;
        return current == StreamStats.Mode.LOCAL || current == StreamStats.Mode.LOCAL_FALLBACK;
    }

    private void loadNewKeys() {
        List<K> keys;
        lock.lock();
        try {
            loadScheduled = false;
            keys = new ArrayList<>(keysToLoad);
            keysToLoad.clear();
            keys.removeIf(key -> !channels.containsKey(key) || channels.get(key).isLoaded());
        } finally {
            lock.unlock();
        }
        if (isAlone()) {
            poll(keys);
        } else if (mode == StreamStats.Mode.CLUSTER) {
            loadShared(keys);
        }
        // JOINING: joined() loads every channel.
    }

    private void periodicPoll() {
        long start = nanoTime();
        long intervalNanos = settings.pollInterval().toNanos();
        long delay = intervalNanos;
        try {
            if (isClosed()) {
                return;
            }
            boolean succeeded = leader == null || leader.round();
            if (isAlone()) {
                succeeded &= poll(List.copyOf(channels.keySet()));
            } else if (mode == StreamStats.Mode.CLUSTER) {
                loadShared(unloadedKeys());
            }
            unwatchIdleKeys();
            long elapsed = nanoTime() - start;
            if (!succeeded) {
                delay = backoffNanos();
            } else if (elapsed >= intervalNanos) {
                long skipped = elapsed / intervalNanos;
                safely(() -> metrics.pollsSkipped(skipped));
                delay = intervalNanos - elapsed % intervalNanos;
            } else {
                delay = intervalNanos - elapsed;
            }
        } catch (RuntimeException | Error unexpected) {
            LOG.log(Level.ERROR, "Status stream '" + name() + "': unexpected failure in its poller", unexpected);
        } finally {
            if (!isClosed()) {
                pollTask = scheduler.schedule(this::periodicPoll, Duration.ofNanos(delay));
            }
        }
    }

    private long backoffNanos() {
        int doublings = Math.min(consecutiveFailures - 1, 30);
        long interval = settings.pollInterval().toNanos();
        long max = settings.maxBackoff().toNanos();
        return interval > max >> doublings ? Math.max(max, interval) : interval << doublings;
    }

    /**
     * Fetches the given keys in chunks and publishes what changed to this instance's subscribers. Runs on the poller
     * only, while polling alone.
     *
     * @return whether every chunk was fetched
     */
    private boolean poll(List<K> keys) {
        return pollChunks(keys, (chunk, fetched) -> {
            List<Update<K, S>> updates = detectChanges(chunk, fetched);
            return new ChunkResult(updates.size(), publish(chunk, updates));
        });
    }

    /**
     * Fetches keys in chunks of the batch size and hands each to {@code handler}; a failing chunk does not stop the
     * others. Counts and logs source failures; a {@link ClusterLeader.SharedLogFailure} or lost lease propagates.
     *
     * @return whether every chunk was fetched
     */
    boolean pollChunks(List<K> keys, ChunkHandler<K, S> handler) {
        if (keys.isEmpty()) {
            return true;
        }
        long start = nanoTime();
        int calls = 0;
        long perClientCalls = 0;
        int changes = 0;
        RuntimeException failure = null;
        for (int from = 0; from < keys.size(); from += settings.batchSize()) {
            List<K> chunk = Collections.unmodifiableList(
                    keys.subList(from, Math.min(keys.size(), from + settings.batchSize())));
            calls++;
            try {
                ChunkResult result = handler.handle(chunk, fetch(chunk));
                perClientCalls += result.perClientCalls();
                changes += result.changes();
            } catch (ClusterLeader.SharedLogFailure | StreamCluster.LeadershipLostException notTheSource) {
                throw notTheSource;
            } catch (RuntimeException chunkFailed) {
                // The other chunks are still fetched: one failing chunk must not blind every key.
                if (failure == null) {
                    failure = chunkFailed;
                } else {
                    failure.addSuppressed(chunkFailed);
                }
            }
        }
        if (failure != null) {
            pollFailed(failure);
            return false;
        }
        pollSucceeded(keys.size(), calls, perClientCalls, changes, start);
        return true;
    }

    private Map<K, S> fetch(List<K> chunk) {
        Map<K, S> fetched = source.fetch(chunk);
        if (fetched == null) {
            throw new IllegalStateException("StateSource " + source + " returned null for " + chunk.size()
                    + " keys; return an empty map when no key exists");
        }
        return fetched;
    }

    /** Compares and encodes outside the lock; only the poller changes channel state, so it may read it freely. */
    private List<Update<K, S>> detectChanges(List<K> chunk, Map<K, S> fetched) {
        List<Update<K, S>> updates = new ArrayList<>();
        long now = nanoTime();
        String currentEpoch = epoch;
        for (K key : chunk) {
            KeyChannel<K, S> channel = channels.get(key);
            if (channel == null) {
                continue;
            }
            Update<K, S> update = channel.isLoaded()
                    ? detectChange(channel, fetched.get(key), currentEpoch, now)
                    : detectLoad(channel, fetched.get(key), currentEpoch, now);
            if (update != null) {
                nextSeq = update.seq();
                updates.add(update);
            }
        }
        return updates;
    }

    private Update<K, S> detectChange(KeyChannel<K, S> channel, S current, String currentEpoch, long now) {
        long seq = nextSeq + 1;
        if (!differs(channel.observed(), channel::knownSnapshotData, current,
                () -> serialize(currentEpoch, seq, channel.key, StateEvent.Kind.SNAPSHOT, current))) {
            return null;
        }
        EncodedEvent<K> live = encodeLive(channel.key, seq, current, currentEpoch, now);
        return live == null ? null : new Update<>(channel, Observed.fetched(current), seq, null, live);
    }

    /**
     * A first load, or the reload of a stale channel: subscribers that already had its state are told only if it
     * differs from what they have.
     */
    private Update<K, S> detectLoad(KeyChannel<K, S> channel, S current, String currentEpoch, long now) {
        long seq = nextSeq + 1;
        String snapshotData = serializeOrSkip(currentEpoch, seq, channel.key, StateEvent.Kind.SNAPSHOT, current);
        if (snapshotData == null) {
            return null;
        }
        EncodedEvent<K> live = null;
        if (channel.isKnown() && differs(channel.observed(), channel::knownSnapshotData, current, () -> snapshotData)) {
            live = encodeLive(channel.key, seq, current, currentEpoch, now);
            if (live == null) {
                return null;
            }
        }
        return new Update<>(channel, Observed.fetched(current), seq, snapshotData, live);
    }

    private EncodedEvent<K> encodeLive(K key, long seq, S current, String currentEpoch, long now) {
        StateEvent.Kind kind = current == null ? StateEvent.Kind.REMOVED : StateEvent.Kind.CHANGE;
        String data = serializeOrSkip(currentEpoch, seq, key, kind, current);
        return data == null ? null : new EncodedEvent<>(key, seq, SseFrames.event(EventId.format(currentEpoch, seq),
                data), now);
    }

    /**
     * Whether a fetched state differs from a known one: by the change detector when the known state object is at
     * hand, else (a state from a shared log, or from before an epoch change) by snapshot data.
     */
    boolean differs(Observed<S> known, Supplier<String> knownSnapshotData, S current,
                    Supplier<String> currentSnapshotData) {
        if (known.present() != (current != null)) {
            return true;
        }
        if (current == null) {
            return false;
        }
        if (known.stateKnown()) {
            return detector.hasChanged(known.state(), current);
        }
        String knownData = knownSnapshotData.get();
        String currentData = currentSnapshotData.get();
        return knownData == null || !knownData.equals(currentData);
    }

    /**
     * Applies updates and fans them out; under the lock.
     *
     * @return the calls one-query-per-client polling would have made for these keys
     */
    private long publish(List<K> chunk, List<Update<K, S>> updates) {
        int coalesced = 0;
        long perClientCalls = 0;
        long now = nanoTime();
        lock.lock();
        try {
            for (Update<K, S> update : updates) {
                KeyChannel<K, S> channel = update.channel();
                if (channel.isRetired()) {
                    continue;
                }
                if (!channel.isLoaded()) {
                    channel.load(update.observed(), update.seq(), update.snapshotData());
                    coalesced += notifyLoaded(channel, update.live(), now);
                } else {
                    channel.change(update.observed(), null, update.live());
                    for (Subscriber<K, S> subscriber : channel.subscribers) {
                        coalesced += subscriber.offer(update.live());
                    }
                }
            }
            publishedSeq = nextSeq;
            for (K key : chunk) {
                KeyChannel<K, S> channel = channels.get(key);
                perClientCalls += channel == null ? 0 : channel.subscribers.size();
            }
        } finally {
            lock.unlock();
        }
        countCoalesced(coalesced);
        return perClientCalls;
    }

    /**
     * A channel was (re)loaded: waiting subscribers get its snapshot or what they missed (and start once all their
     * keys are loaded),
     * the others get {@code live} if the state differs from what they have; under the lock.
     *
     * @return how many undelivered events {@code live} replaced
     */
    private int notifyLoaded(KeyChannel<K, S> channel, EncodedEvent<K> live, long now) {
        return notifyLoaded(channel, live, now, null);
    }

    /**
     * {@link #notifyLoaded(KeyChannel, EncodedEvent, long)}, collecting {@code live} per subscriber in
     * {@code corrections} instead of offering it, when not {@code null}: channels loaded together from a shared log
     * carry unrelated ids, which must reach each subscriber in id order.
     */
    private int notifyLoaded(KeyChannel<K, S> channel, EncodedEvent<K> live, long now,
                             Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections) {
        int coalesced = 0;
        for (Subscriber<K, S> subscriber : channel.subscribers) {
            if (channel.waiting.remove(subscriber)) {
                // A channel loaded with history (from a shared log) can replay what the client missed.
                long seen = epoch.equals(subscriber.seenEpoch) ? subscriber.seenSeq : EventId.UNKNOWN;
                List<EncodedEvent<K>> initial = new ArrayList<>();
                channel.collectInitial(seen, now, snapshots, initial);
                subscriber.enqueueAll(initial);
                if (--subscriber.unloadedKeys == 0) {
                    subscriber.start(absentKeys(subscriber));
                }
            } else if (live != null && corrections != null) {
                corrections.computeIfAbsent(subscriber, s -> new ArrayList<>()).add(live);
            } else if (live != null) {
                coalesced += subscriber.offer(live);
            }
        }
        return coalesced;
    }

    /** Offers each subscriber its collected events in id order; under the lock. */
    private static <K, S> int offerInOrder(Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections) {
        int coalesced = 0;
        for (Map.Entry<Subscriber<K, S>, List<EncodedEvent<K>>> entry : corrections.entrySet()) {
            entry.getValue().sort(Comparator.comparingLong(EncodedEvent::seq));
            for (EncodedEvent<K> event : entry.getValue()) {
                coalesced += entry.getKey().offer(event);
            }
        }
        return coalesced;
    }

    private void countCoalesced(int coalesced) {
        for (int i = 0; i < coalesced; i++) {
            safely(metrics::eventCoalesced);
        }
    }

    /** Encodes snapshots in the current epoch; used under the lock or on the poller. */
    private final KeyChannel.SnapshotEncoder<K, S> snapshots = new KeyChannel.SnapshotEncoder<>() {
        @Override
        public String data(K key, long seq, S state) {
            return serialize(epoch, seq, key, StateEvent.Kind.SNAPSHOT, state);
        }

        @Override
        public String frame(long seq, String data) {
            return SseFrames.event(EventId.format(epoch, seq), data);
        }
    };

    String serialize(String eventEpoch, long seq, K key, StateEvent.Kind kind, S state) {
        return serializer.serialize(new StateEvent<>(EventId.format(eventEpoch, seq), key, kind, state));
    }

    /** Serializes an event, or returns {@code null} and skips it (to retry next poll) if the serializer fails. */
    String serializeOrSkip(String eventEpoch, long seq, K key, StateEvent.Kind kind, S state) {
        try {
            String data = serialize(eventEpoch, seq, key, kind, state);
            if (unencodableKeys.remove(key)) {
                LOG.log(Level.INFO, () -> "Status stream '" + name() + "': key " + key + " serializes again");
            }
            return data;
        } catch (RuntimeException failure) {
            if (unencodableKeys.add(key)) {
                LOG.log(Level.WARNING, "Status stream '" + name() + "': the serializer failed for key " + key
                        + "; its changes are held back and retried every poll", failure);
            }
            return null;
        }
    }

    private void pollSucceeded(int keys, int calls, long perClientCalls, int changes, long startNanos) {
        if (consecutiveFailures > 0) {
            int failures = consecutiveFailures;
            Duration outage = Duration.ofNanos(nanoTime() - outageStartNanos);
            LOG.log(Level.INFO, () -> "Status stream '" + name() + "': source recovered after " + failures
                    + " failed polls (" + outage.toMillis() + " ms)");
            consecutiveFailures = 0;
            lastFailure = null;
        }
        Duration took = Duration.ofNanos(nanoTime() - startNanos);
        safely(() -> metrics.pollCompleted(keys, calls, Math.max(0, perClientCalls - calls), took));
        if (changes > 0) {
            safely(() -> metrics.changesDetected(changes));
        }
    }

    private void pollFailed(RuntimeException failure) {
        lastFailure = failure.toString();
        if (consecutiveFailures++ == 0) {
            outageStartNanos = nanoTime();
            LOG.log(Level.WARNING, "Status stream '" + name() + "': its source failed; streams stay open, polling"
                    + " backs off (up to " + settings.maxBackoff() + ") until it recovers. Further failures of this"
                    + " outage are logged at DEBUG.", failure);
        } else {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "': source still failing ("
                    + consecutiveFailures + " polls)", failure);
        }
        safely(() -> metrics.pollFailed(failure));
    }

    private void unwatchIdleKeys() {
        long now = nanoTime();
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

    // ------------------------------------------------------------------------------------------------- cluster

    /** Passes a hint to the cluster's leader; on the poller. */
    private void hintCluster(List<K> keys) {
        try {
            cluster.hint(keys);
        } catch (RuntimeException unreachable) {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "': hint to the cluster failed: " + unreachable);
        }
    }

    private List<K> unloadedKeys() {
        List<K> keys = new ArrayList<>();
        for (KeyChannel<K, S> channel : channels.values()) {
            if (!channel.isLoaded()) {
                keys.add(channel.key);
            }
        }
        return keys;
    }

    /**
     * Loads channels from the shared log, with their recent history for replay; asks the leader to load keys the
     * log has no state of yet. On the poller, in {@link StreamStats.Mode#CLUSTER} mode. Keys that stay unloaded are
     * retried at the next interval.
     */
    private void loadShared(List<K> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Map<K, List<SharedEvent<K>>> history;
        try {
            history = cluster.history(keys, settings.replaySize() + 1);
        } catch (RuntimeException unreachable) {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "': reading shared states failed: " + unreachable);
            return;
        }
        List<K> missing = new ArrayList<>();
        int coalesced = 0;
        long now = nanoTime();
        Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections = new HashMap<>();
        lock.lock();
        try {
            for (K key : keys) {
                KeyChannel<K, S> channel = channels.get(key);
                List<SharedEvent<K>> events = history.get(key);
                if (channel == null || channel.isLoaded() || channel.isRetired()) {
                    continue;
                }
                if (events == null || events.isEmpty()) {
                    missing.add(key);
                } else {
                    coalesced += loadShared(channel, events, now, corrections);
                }
            }
            coalesced += offerInOrder(corrections);
        } finally {
            lock.unlock();
        }
        countCoalesced(coalesced);
        if (!missing.isEmpty()) {
            try {
                cluster.load(missing);
            } catch (RuntimeException unreachable) {
                LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "': load request failed: " + unreachable);
            }
        }
    }

    /** Loads a channel from shared events, oldest first, the last being current; under the lock. */
    private int loadShared(KeyChannel<K, S> channel, List<SharedEvent<K>> events, long now,
                           Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections) {
        SharedEvent<K> first = events.get(0);
        SharedEvent<K> last = events.get(events.size() - 1);
        EncodedEvent<K> live = null;
        if (channel.isKnown() && (channel.isPresent() != last.present()
                || !last.snapshotData().equals(channel.knownSnapshotData()))) {
            live = encodeShared(last, now);
        }
        channel.load(Observed.shared(first.present()), first.seq(), first.snapshotData());
        for (SharedEvent<K> event : events.subList(1, events.size())) {
            channel.change(Observed.shared(event.present()), event.snapshotData(), encodeShared(event, now));
        }
        publishedSeq = Math.max(publishedSeq, last.seq());
        return notifyLoaded(channel, live, now, corrections);
    }

    /** Fans out events from the shared log; on the poller. */
    private void applyShared(String logEpoch, List<SharedEvent<K>> events) {
        int coalesced = 0;
        long now = nanoTime();
        lock.lock();
        try {
            if (mode != StreamStats.Mode.CLUSTER || !logEpoch.equals(epoch)) {
                return;
            }
            for (SharedEvent<K> event : events) {
                KeyChannel<K, S> channel = channels.get(event.key());
                if (channel == null || channel.isRetired()) {
                    publishedSeq = Math.max(publishedSeq, event.seq());
                } else if (!channel.isLoaded()) {
                    coalesced += loadShared(channel, List.of(event), now, null);
                } else if (event.seq() > channel.stateSeq()) {
                    EncodedEvent<K> encoded = encodeShared(event, now);
                    channel.change(Observed.shared(event.present()), event.snapshotData(), encoded);
                    for (Subscriber<K, S> subscriber : channel.subscribers) {
                        coalesced += subscriber.offer(encoded);
                    }
                    publishedSeq = Math.max(publishedSeq, event.seq());
                }
            }
        } finally {
            lock.unlock();
        }
        countCoalesced(coalesced);
    }

    private EncodedEvent<K> encodeShared(SharedEvent<K> event, long now) {
        return new EncodedEvent<>(event.key(), event.seq(), SseFrames.event(EventId.format(epoch, event.seq()),
                event.data()), now);
    }

    /** Changes mode and epoch; every channel becomes stale, to be reloaded in the new epoch. On the poller. */
    private void switchTo(StreamStats.Mode newMode, String newEpoch, String failure) {
        lock.lock();
        try {
            mode = newMode;
            clusterFailure = failure;
            if (newEpoch != null) {
                epoch = newEpoch;
                publishedSeq = newMode == StreamStats.Mode.CLUSTER ? 0 : nextSeq;
                for (KeyChannel<K, S> channel : channels.values()) {
                    channel.markStale(snapshots);
                }
            }
        } finally {
            lock.unlock();
        }
        safely(() -> metrics.modeChanged(newMode));
    }

    private void joining() {
        if (mode == StreamStats.Mode.LOCAL_FALLBACK) {
            switchTo(StreamStats.Mode.JOINING, null, clusterFailure);
            LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "': cluster reachable, joining");
        }
    }

    private void joined(String clusterEpoch, long logSeq) {
        if (mode == StreamStats.Mode.CLUSTER && clusterEpoch.equals(epoch)) {
            return;
        }
        switchTo(StreamStats.Mode.CLUSTER, clusterEpoch, null);
        lock.lock();
        try {
            publishedSeq = Math.max(publishedSeq, logSeq);
        } finally {
            lock.unlock();
        }
        LOG.log(Level.INFO, () -> "Status stream '" + name() + "' fans out from the cluster's shared log now (epoch "
                + clusterEpoch + ", " + channels.size() + " keys)");
        loadShared(unloadedKeys());
    }

    private void lost(Throwable cause) {
        leader.stepDown(cause);
        if (mode == StreamStats.Mode.LOCAL_FALLBACK) {
            clusterFailure = String.valueOf(cause);
            return;
        }
        StreamStats.Mode was = mode;
        switchTo(StreamStats.Mode.LOCAL_FALLBACK, was == StreamStats.Mode.CLUSTER ? EventId.newEpoch() : null,
                String.valueOf(cause));
        LOG.log(Level.WARNING, "Status stream '" + name() + "': its cluster is unreachable (" + cause + "); this"
                + " instance polls its own keys, with its own event ids, until the cluster is back");
        poll(List.copyOf(channels.keySet()));
    }

    /** The engine as its cluster sees it: every call moves onto the poller. */
    private final class ClusterMember implements StreamCluster.Member<K> {

        @Override
        public String name() {
            return settings.name();
        }

        @Override
        public Set<K> watchedKeys() {
            return Set.copyOf(channels.keySet());
        }

        @Override
        public void hinted(Collection<K> keys) {
            if (keys.isEmpty()) {
                if (roundHinted.compareAndSet(false, true)) {
                    scheduleSafely(() -> {
                        roundHinted.set(false);
                        leader.hinted(List.of());
                    });
                }
                return;
            }
            hintedKeys.addAll(keys);
            if (hintPollScheduled.compareAndSet(false, true)) {
                scheduleSafely(() -> {
                    hintPollScheduled.set(false);
                    List<K> batch = new ArrayList<>(hintedKeys);
                    hintedKeys.removeAll(batch);
                    leader.hinted(batch);
                });
            }
        }

        @Override
        public void joining() {
            scheduleSafely(PollingStatusStream.this::joining);
        }

        @Override
        public boolean pollsAlone() {
            return mode != StreamStats.Mode.JOINING;
        }

        @Override
        public void joined(String clusterEpoch, long logSeq) {
            Objects.requireNonNull(clusterEpoch, "epoch");
            scheduleSafely(() -> PollingStatusStream.this.joined(clusterEpoch, logSeq));
        }

        @Override
        public void received(String logEpoch, List<SharedEvent<K>> events) {
            List<SharedEvent<K>> copy = List.copyOf(events);
            scheduleSafely(() -> applyShared(logEpoch, copy));
        }

        @Override
        public void lost(Throwable cause) {
            scheduleSafely(() -> PollingStatusStream.this.lost(cause));
        }
    }

    // ---------------------------------------------------------------------------------------------- heartbeats

    private void heartbeatTick() {
        try {
            if (isClosed()) {
                return;
            }
            long now = nanoTime();
            List<Subscriber<K, S>> current;
            lock.lock();
            try {
                current = List.copyOf(subscribers);
                for (KeyChannel<K, S> channel : channels.values()) {
                    channel.expireReplay(now);
                }
            } finally {
                lock.unlock();
            }
            for (Subscriber<K, S> subscriber : current) {
                if (subscriber.tick(now, stuckNanos)) {
                    LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "': closing stuck " + subscriber);
                    release(subscriber, CloseReason.STUCK);
                }
            }
        } catch (RuntimeException | Error unexpected) {
            LOG.log(Level.ERROR, "Status stream '" + name() + "': unexpected failure in its heartbeat", unexpected);
        } finally {
            if (!isClosed()) {
                heartbeatTask = scheduler.schedule(this::heartbeatTick, settings.heartbeatInterval());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    long nanoTime() {
        return scheduler.nanoTime();
    }

    /** Runs a task on the writer executor; a refusal (the stream is closing) ends the subscriber's drain. */
    void execute(Runnable task, Subscriber<K, S> subscriber) {
        try {
            writers.execute(task);
        } catch (RejectedExecutionException refused) {
            if (subscriber != null) {
                subscriber.drainRejected();
            }
        }
    }

    private void scheduleSafely(Runnable task) {
        if (!isClosed()) {
            scheduler.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error unexpected) {
                    LOG.log(Level.ERROR, "Status stream '" + name() + "': unexpected failure in its poller", unexpected);
                }
            }, Duration.ZERO);
        }
    }

    private void safely(Runnable metricsCall) {
        try {
            metricsCall.run();
        } catch (RuntimeException failure) {
            LOG.log(Level.DEBUG, "Status stream '" + name() + "': metrics listener failed", failure);
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StreamStats stats() {
        lock.lock();
        try {
            int failures = consecutiveFailures;
            return new StreamStats(name(), subscribers.size(), channels.size(), failures == 0, failures,
                    lastFailure, publishedSeq, mode, leader != null && leader.isLeading(), clusterFailure);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        List<Subscriber<K, S>> open;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            open = List.copyOf(subscribers);
        } finally {
            lock.unlock();
        }
        cancel(pollTask);
        cancel(heartbeatTask);
        if (cluster != null) {
            try {
                cluster.close();
            } catch (RuntimeException failure) {
                LOG.log(Level.WARNING, "Status stream '" + name() + "': its cluster failed to close", failure);
            }
        }
        try {
            notifier.close();
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, "Status stream '" + name() + "': its notifier failed to close", failure);
        }
        for (Subscriber<K, S> subscriber : open) {
            release(subscriber, CloseReason.SHUTDOWN);
        }
        lock.lock();
        try {
            for (KeyChannel<K, S> channel : List.copyOf(channels.values())) {
                unwatch(channel);
            }
        } finally {
            lock.unlock();
        }
        releaseOwnedThreads();
        LOG.log(Level.INFO, () -> "Status stream '" + name() + "' closed, " + open.size() + " subscribers ended");
    }

    private void releaseOwnedThreads() {
        if (ownsWriters) {
            ((ExecutorService) writers).shutdown();
        }
        if (ownsScheduler) {
            scheduler.close();
        }
    }

    private static void cancel(StreamScheduler.Cancellable task) {
        if (task != null) {
            task.cancel();
        }
    }

    @Override
    public String toString() {
        return "StatusStream[" + name() + ", epoch " + epoch + "]";
    }

    /**
     * Virtual threads where the runtime has them (Java 21+), else a bounded pool of daemon threads: enough that a
     * few stuck sockets do not hold up everyone, few enough that a burst of fan-out does not start thousands.
     */
    private static ExecutorService defaultWriters(String name) {
        try {
            return (ExecutorService) MethodHandles.publicLookup()
                    .findStatic(java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor",
                            MethodType.methodType(ExecutorService.class))
                    .invoke();
        } catch (Throwable notOnThisRuntime) {
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(DEFAULT_PLATFORM_WRITERS, DEFAULT_PLATFORM_WRITERS,
                    30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, name + "-writer-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }

    /**
     * One detected change (of a loaded channel) or load (of an unloaded or stale one), encoded, waiting to be
     * published.
     *
     * @param snapshotData a load's snapshot data; {@code null} for a change
     * @param live         what subscribers that have an earlier state receive; {@code null} for a load that
     *                     changes nothing they have
     */
    private record Update<K, S>(KeyChannel<K, S> channel, Observed<S> observed, long seq, String snapshotData,
                                EncodedEvent<K> live) {
    }

    /** What a poll did with one chunk. */
    record ChunkResult(int changes, long perClientCalls) {
    }

    /** Handles one fetched chunk on the poller. */
    @FunctionalInterface
    interface ChunkHandler<K, S> {
        ChunkResult handle(List<K> chunk, Map<K, S> fetched);
    }
}
