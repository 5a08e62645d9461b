package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
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
 */
final class PollingStatusStream<K, S> implements StatusStream<K, S> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());
    private static final int DEFAULT_PLATFORM_WRITERS = 64;

    private final Settings settings;
    private final StateSource<K, S> source;
    private final ChangeDetector<S> detector;
    private final ChangeNotifier<K> notifier;
    private final EventSerializer<K, S> serializer;
    private final StreamMetrics metrics;
    private final Executor writers;
    private final StreamScheduler scheduler;
    private final boolean ownsWriters;
    private final boolean ownsScheduler;
    private final String epoch = EventId.newEpoch();
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
    private final AtomicBoolean touchPollScheduled = new AtomicBoolean();
    private final AtomicBoolean fullPollScheduled = new AtomicBoolean();

    private PollingStatusStream(Settings settings, StateSource<K, S> source, ChangeDetector<S> detector,
                                ChangeNotifier<K> notifier, EventSerializer<K, S> serializer, StreamMetrics metrics,
                                Executor writers, StreamScheduler scheduler) {
        this.settings = settings;
        this.source = source;
        this.detector = detector;
        this.notifier = notifier;
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
                                           ChangeNotifier<K> notifier, EventSerializer<K, S> serializer,
                                           StreamMetrics metrics, Executor writers, StreamScheduler scheduler) {
        PollingStatusStream<K, S> stream = new PollingStatusStream<>(settings, source, detector, notifier,
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
        pollTask = scheduler.schedule(this::periodicPoll, settings.pollInterval());
        heartbeatTask = scheduler.schedule(this::heartbeatTick, settings.heartbeatInterval());
        LOG.log(Level.INFO, () -> "Status stream '" + settings.name() + "' started: " + settings
                + ", source " + source + ", notifier " + notifier + ", epoch " + epoch);
    }

    private ChangeNotifier.Listener<K> hintListener() {
        return new ChangeNotifier.Listener<>() {
            @Override
            public void keysChanged(Collection<? extends K> keys) {
                touch(keys);
            }

            @Override
            public void resync() {
                pollNow();
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
            scheduleLoad = register(subscriber, EventId.parseSeq(lastEventId, epoch, publishedSeq));
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
                channel.collectInitial(seenSeq, now, this::encodeSnapshot, initial);
            } else {
                subscriber.unloadedKeys++;
            }
        }
        if (initial.size() > settings.maxQueuedEvents()) {
            initial.clear();
            for (K key : subscriber.keys()) {
                KeyChannel<K, S> channel = channels.get(key);
                if (channel.isLoaded()) {
                    initial.add(channel.snapshot(this::encodeSnapshot, now));
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
                if (channel != null && channel.subscribers.remove(subscriber) && channel.subscribers.isEmpty()) {
                    if (!channel.isLoaded() || retentionNanos == 0) {
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
            if (channels.get(key).state() == null) {
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
        for (K key : keys) {
            if (key != null && channels.containsKey(key)) {
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
                poll(List.copyOf(channels.keySet()));
            });
        }
    }

    private void pollTouched() {
        touchPollScheduled.set(false);
        List<K> keys = new ArrayList<>(touchedKeys.size());
        for (Iterator<K> it = touchedKeys.iterator(); it.hasNext(); ) {
            K key = it.next();
            it.remove();
            if (channels.containsKey(key)) {
                keys.add(key);
            }
        }
        poll(keys);
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
        poll(keys);
    }

    private void periodicPoll() {
        long start = nanoTime();
        long intervalNanos = settings.pollInterval().toNanos();
        long delay = intervalNanos;
        try {
            if (isClosed()) {
                return;
            }
            boolean succeeded = poll(List.copyOf(channels.keySet()));
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
     * Fetches the given keys in chunks and publishes what changed. Runs on the poller only.
     *
     * @return whether every chunk was fetched
     */
    private boolean poll(List<K> keys) {
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
                List<Update<K, S>> updates = detectChanges(chunk, fetch(chunk));
                perClientCalls += publish(chunk, updates);
                changes += updates.size();
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
        for (K key : chunk) {
            KeyChannel<K, S> channel = channels.get(key);
            if (channel == null) {
                continue;
            }
            S current = fetched.get(key);
            boolean load = !channel.isLoaded();
            if (!load && !isChange(channel.state(), current)) {
                continue;
            }
            long seq = nextSeq + 1;
            StateEvent.Kind kind = load ? StateEvent.Kind.SNAPSHOT
                    : current == null ? StateEvent.Kind.REMOVED : StateEvent.Kind.CHANGE;
            String frame = encode(new StateEvent<>(EventId.format(epoch, seq), key, kind, current));
            if (frame != null) {
                nextSeq = seq;
                updates.add(new Update<>(channel, current, load, new EncodedEvent<>(key, seq, frame, now)));
            }
        }
        return updates;
    }

    private boolean isChange(S previous, S current) {
        if (previous == null || current == null) {
            return previous != current;
        }
        return detector.hasChanged(previous, current);
    }

    /**
     * Applies updates and fans them out; under the lock.
     *
     * @return the calls one-query-per-client polling would have made for these keys
     */
    private long publish(List<K> chunk, List<Update<K, S>> updates) {
        int coalesced = 0;
        long perClientCalls = 0;
        lock.lock();
        try {
            for (Update<K, S> update : updates) {
                KeyChannel<K, S> channel = update.channel();
                if (channel.isRetired()) {
                    continue;
                }
                if (update.load()) {
                    channel.load(update.state(), update.event().seq(), update.event().frame());
                    for (Subscriber<K, S> subscriber : channel.subscribers) {
                        subscriber.enqueueAll(List.of(update.event()));
                        if (--subscriber.unloadedKeys == 0) {
                            subscriber.start(absentKeys(subscriber));
                        }
                    }
                } else {
                    channel.change(update.state(), update.event());
                    for (Subscriber<K, S> subscriber : channel.subscribers) {
                        coalesced += subscriber.offer(update.event());
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
        for (int i = 0; i < coalesced; i++) {
            safely(metrics::eventCoalesced);
        }
        return perClientCalls;
    }

    private String encodeSnapshot(K key, long seq, S state) {
        return SseFrames.event(EventId.format(epoch, seq),
                serializer.serialize(new StateEvent<>(EventId.format(epoch, seq), key, StateEvent.Kind.SNAPSHOT, state)));
    }

    /** Encodes a change, or returns {@code null} and skips it (to retry next poll) if the serializer fails. */
    private String encode(StateEvent<K, S> event) {
        try {
            String frame = SseFrames.event(event.id(), serializer.serialize(event));
            if (unencodableKeys.remove(event.key())) {
                LOG.log(Level.INFO, () -> "Status stream '" + name() + "': key " + event.key() + " serializes again");
            }
            return frame;
        } catch (RuntimeException failure) {
            if (unencodableKeys.add(event.key())) {
                LOG.log(Level.WARNING, "Status stream '" + name() + "': the serializer failed for key " + event.key()
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
                if (channel.isLoaded() && channel.idleLongerThan(retentionNanos, now)) {
                    unwatch(channel);
                }
            }
        } finally {
            lock.unlock();
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
                    lastFailure, publishedSeq);
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

    /** One detected change or first load, encoded, waiting to be published. */
    private record Update<K, S>(KeyChannel<K, S> channel, S state, boolean load, EncodedEvent<K> event) {
    }
}
