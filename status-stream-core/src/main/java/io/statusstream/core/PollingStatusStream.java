package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The engine behind {@link StatusStream}, as a few rooms that each own their state:
 * <ul>
 *   <li>{@link ChannelRegistry}: channels and subscribers behind the one lock, under which no user code runs;</li>
 *   <li>{@link ChangeFeed}: where changes come from — {@link LocalFeed} over a {@link LocalPublisher}, or a
 *       {@link ClusterFollower} with its {@link ClusterLeader} role — both polling through one {@link SourcePoller}
 *       (chunks, backoff, one log line per outage) and encoding through one {@link EventEncoder};</li>
 *   <li>{@link HintCoalescer}: {@code touch} and {@code pollNow}, coalesced into one poll;</li>
 *   <li>{@link Writers}: how drains reach sinks, with stuck clients unable to starve healthy ones;</li>
 *   <li>{@link Heartbeats}: pings, stuck clients, replay expiry.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Polls, loads, hints and heartbeats run as tasks of the {@link StreamScheduler}, one at a time
 * ({@link PollerTasks}), so polls never overlap and every sequence number is given by one thread, in publish order.
 * Writes run on the writers. Requests call {@link #subscribe}, {@link #touch} and {@link Subscription#close} from
 * any thread.
 */
final class PollingStatusStream<K, S> implements StatusStream<K, S> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());
    /** About how far apart the waves of a drain are: short enough that each wave's clients miss little. */
    static final Duration DRAIN_WAVE_SPACING = Duration.ofMillis(100);

    private final Settings settings;
    private final byte[] heartbeatFrame;
    private final StreamScheduler scheduler;
    private final boolean ownsScheduler;
    private final StreamMetrics metrics;
    private final ChangeNotifier<K> notifier;
    private final ChannelRegistry<K, S> registry;
    private final PollerTasks poller;
    private final Writers writers;
    private final SourcePoller<K, S> sourcePoller;
    private final EventEncoder<K, S> encoder;
    private final ChangeFeed<K> feed;
    private final HintCoalescer<K> touches;
    private final Subscribers subscribers = new Subscribers();
    private final Heartbeats<K, S> heartbeats;
    private final String description;
    private PollerTasks.Repeating periodicPoll;
    private PollerTasks.Repeating heartbeatTicks;
    private PollerTasks.Repeating stallChecks;
    /** The waves of a drain, once one started: written once, by the call that refused new subscribers. */
    private volatile PollerTasks.Repeating drainWaves;
    /** The drain, once one started: the stream closes once its last wave ran and its last subscriber left. */
    private volatile DrainWaves<K, S> drainTask;
    /** Completes when the stream is closed, the end of a drain. */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private PollingStatusStream(Settings settings, StateSource<K, S> source, ChangeDetector<S> detector,
                                ChangeNotifier<K> notifier, StreamCluster<K> cluster, EventSerializer<K, S> serializer,
                                StreamMetrics metrics, Executor writerExecutor, StreamScheduler scheduler) {
        this.settings = settings;
        this.heartbeatFrame = SseFrames.utf8(SseFrames.heartbeat(settings.heartbeatInterval().toMillis()));
        this.ownsScheduler = scheduler == null;
        this.scheduler = ownsScheduler ? StreamScheduler.singleThread(settings.name() + "-poller") : scheduler;
        this.metrics = new SafeMetrics(settings.name(), metrics);
        this.notifier = notifier;
        this.registry = new ChannelRegistry<>(settings);
        this.poller = new PollerTasks(settings.name(), this.scheduler, registry::isClosed);
        this.writers = writerExecutor == null ? Writers.createDefault(settings.name(), this.scheduler::nanoTime)
                : Writers.using(settings.name(), writerExecutor);
        this.sourcePoller = new SourcePoller<>(settings, source, this.scheduler, this.metrics);
        this.encoder = new EventEncoder<>(settings.name(), serializer, detector);
        LocalPublisher<K, S> local = new LocalPublisher<>(registry, sourcePoller, encoder, writers, this.scheduler,
                this.metrics);
        this.feed = cluster == null ? new LocalFeed<>(local, registry)
                : new ClusterFollower<>(settings, cluster,
                new ClusterLeader<>(settings.name(), cluster, sourcePoller, encoder), local, registry, notifier,
                poller, writers, this.metrics);
        this.touches = new HintCoalescer<>(poller, feed::hinted);
        this.heartbeats = new Heartbeats<>(settings, registry, subscribers, writers, this.metrics);
        this.description = settings + ", source " + source + ", notifier " + notifier
                + (cluster == null ? "" : ", cluster " + cluster);
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
            notifier.start(feed.notifierListener(touches));
        } catch (RuntimeException failure) {
            releaseOwnedThreads();
            throw failure;
        }
        try {
            feed.start();
        } catch (RuntimeException failure) {
            notifier.close();
            releaseOwnedThreads();
            throw failure;
        }
        periodicPoll = poller.repeat(this::periodicPoll, settings.pollInterval(), settings.pollInterval());
        Duration tick = Duration.ofNanos(heartbeats.tickNanos());
        heartbeatTicks = poller.repeat(this::heartbeatTick, tick, tick);
        if (writers.compensatesStalls()) {
            stallChecks = poller.repeat(this::checkStalls, Writers.STALL_CHECK, Writers.STALL_CHECK);
        }
        LOG.log(Level.INFO, () -> "Status stream '" + name() + "' started: " + description + ", epoch "
                + registry.epoch());
    }

    @Override
    public String name() {
        return settings.name();
    }

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
        Subscriber<K, S> subscriber = new Subscriber<>(subscribers, Collections.unmodifiableSet(keySet), sink,
                retryHint());
        ChannelRegistry.Registration<K, S> registration = registry.register(subscriber, lastEventId, name(),
                scheduler.nanoTime());
        if (registration.scheduleLoad()) {
            poller.runSoon(this::loadNewKeys);
        }
        metrics.subscriberOpened();
        registration.delivery().deliver(writers, metrics);
        return subscriber;
    }

    private String retryHint() {
        long jitter = settings.reconnectJitter().toMillis();
        long millis = settings.reconnectDelay().toMillis()
                + (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter + 1));
        return SseFrames.retry(millis);
    }

    @Override
    public void touch(Collection<? extends K> keys) {
        List<K> accepted = new ArrayList<>(keys.size());
        for (K key : keys) {
            if (key != null && feed.acceptsTouch(key)) {
                accepted.add(key);
            }
        }
        StreamMetrics.Span span = metrics.touched(accepted.size());
        try {
            touches.hint(accepted);
        } finally {
            span.end(null);
        }
    }

    @Override
    public void pollNow() {
        touches.hintAll();
    }

    private void loadNewKeys() {
        feed.load(registry.takeKeysToLoad());
    }

    /** @return the delay until the next periodic poll */
    private long periodicPoll() {
        long start = scheduler.nanoTime();
        long intervalNanos = settings.pollInterval().toNanos();
        boolean succeeded = feed.round();
        registry.unwatchIdle(scheduler.nanoTime());
        encoder.retainWatched(key -> registry.isWatched(key) || feed.pollsForOthers(key));
        long elapsed = scheduler.nanoTime() - start;
        if (!succeeded) {
            return sourcePoller.backoffNanos();
        }
        if (elapsed >= intervalNanos) {
            metrics.pollsSkipped(elapsed / intervalNanos);
            return intervalNanos - elapsed % intervalNanos;
        }
        return intervalNanos - elapsed;
    }

    private long heartbeatTick() {
        heartbeats.tick();
        return heartbeats.tickNanos();
    }

    private long checkStalls() {
        writers.checkStalls();
        return Writers.STALL_CHECK.toNanos();
    }

    @Override
    public StreamStats stats() {
        ChannelRegistry.Counts counts = registry.counts();
        int failures = sourcePoller.consecutiveFailures();
        StreamStats.Mode mode = feed.mode();
        boolean clusterPoller = feed.isClusterPoller();
        boolean polls = clusterPoller || mode == StreamStats.Mode.LOCAL || mode == StreamStats.Mode.LOCAL_FALLBACK;
        Duration staleness = polls ? Duration.ofNanos(scheduler.nanoTime() - sourcePoller.lastSuccessNanos()) : null;
        return new StreamStats(name(), counts.subscribers(), counts.watchedKeys(), failures == 0, failures,
                sourcePoller.lastFailure(), counts.publishedSeq(), mode, clusterPoller, feed.clusterFailure(),
                staleness);
    }

    /** The writers, for tests of the writer model. */
    Writers writers() {
        return writers;
    }

    /** The encoder, for tests of what it retains. */
    EventEncoder<K, S> encoder() {
        return encoder;
    }

    @Override
    public CompletionStage<Void> drain(Duration period) {
        if (period.isNegative()) {
            throw new IllegalArgumentException("period must not be negative, was " + period);
        }
        List<Subscriber<K, S>> open = registry.refuseNew();
        if (open == null) {
            return closed.minimalCompletionStage();
        }
        // Not ready: no response committed yet, so nothing to spread; its transport answers "come back later" now.
        List<Subscriber<K, S>> shuffled = new ArrayList<>(open.size());
        for (Subscriber<K, S> subscriber : open) {
            if (subscriber.ready().toCompletableFuture().isDone()) {
                shuffled.add(subscriber);
            } else {
                subscribers.release(subscriber, CloseReason.SHUTDOWN);
            }
        }
        if (period.isZero() || shuffled.isEmpty()) {
            close();
        } else {
            Collections.shuffle(shuffled);
            int waves = (int) Math.min(shuffled.size(),
                    Math.max(1, period.toNanos() / DRAIN_WAVE_SPACING.toNanos()));
            LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "' draining " + shuffled.size()
                    + " subscribers in " + waves + " waves over " + period);
            DrainWaves<K, S> task = new DrainWaves<>(name(), shuffled, waves, period.toNanos(),
                    settings.reconnectDelay().toMillis(), scheduler::nanoTime, subscribers::endForShutdown,
                    () -> registry.counts().subscribers(), this::close);
            drainTask = task;
            drainWaves = poller.repeat(task, Duration.ZERO, DRAIN_WAVE_SPACING);
        }
        return closed.minimalCompletionStage();
    }

    @Override
    public void close() {
        List<Subscriber<K, S>> open = registry.close();
        if (open == null) {
            return;
        }
        for (PollerTasks.Repeating task : new PollerTasks.Repeating[]{periodicPoll, heartbeatTicks, stallChecks,
                drainWaves}) {
            if (task != null) {
                task.cancel();
            }
        }
        feed.close();
        try {
            notifier.close();
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, "Status stream '" + name() + "': its notifier failed to close", failure);
        }
        for (Subscriber<K, S> subscriber : open) {
            subscribers.release(subscriber, CloseReason.SHUTDOWN);
        }
        registry.unwatchAll();
        releaseOwnedThreads();
        LOG.log(Level.INFO, () -> "Status stream '" + name() + "' closed, " + open.size() + " subscribers ended");
        closed.complete(null);
    }

    private void releaseOwnedThreads() {
        writers.shutdown();
        if (ownsScheduler) {
            scheduler.close();
        }
    }

    @Override
    public String toString() {
        return "StatusStream[" + name() + ", epoch " + registry.epoch() + "]";
    }

    /** How subscribers reach the engine: release, write outcomes, the clock. Safe from any thread. */
    private final class Subscribers implements Subscriber.Host<K, S> {

        @Override
        public long nanoTime() {
            return scheduler.nanoTime();
        }

        @Override
        public void release(Subscriber<K, S> subscriber, CloseReason reason) {
            if (!subscriber.markClosed()) {
                return;
            }
            registry.release(subscriber, scheduler.nanoTime());
            metrics.subscriberClosed(reason);
            if (reason != CloseReason.CLOSED_BY_OWNER) {
                writers.close(subscriber.sink(), reason);
            }
            if (drainTask != null && drainTask.lastWaveDone() && registry.counts().subscribers() == 0) {
                close();
            }
        }

        @Override
        public void probe(Subscriber<K, S> subscriber) {
            Delivery<K, S> delivery = new Delivery<>();
            subscriber.heartbeatNow(delivery);
            delivery.deliver(writers, metrics);
        }

        @Override
        public byte[] heartbeatFrame() {
            return PollingStatusStream.this.heartbeatFrame;
        }

        @Override
        public Set<K> revoke(Subscriber<K, S> subscriber, Collection<? extends K> keys) {
            Set<K> candidates = new LinkedHashSet<>();
            for (K key : subscriber.keys()) {
                if (keys.contains(key)) {
                    candidates.add(key);
                }
            }
            if (candidates.isEmpty()) {
                return Set.of();
            }
            // The serializer runs here, before the registry's lock is taken; a key it fails for is revoked silently.
            ChannelRegistry.Position position = registry.position();
            Map<K, EncodedEvent<K>> frames = new HashMap<>();
            for (K key : candidates) {
                String data = encoder.encode(position.epoch(), position.seq(), key, StateEvent.Kind.REVOKED, null);
                if (data != null) {
                    frames.put(key, new EncodedEvent<>(key, position.seq(), SseFrames.utf8(SseFrames.unidentified(data)),
                            scheduler.nanoTime()));
                }
            }
            ChannelRegistry.Revocation<K, S> revocation = registry.revoke(subscriber, candidates,
                    scheduler.nanoTime());
            List<EncodedEvent<K>> sent = new ArrayList<>();
            for (K key : revocation.revoked()) {
                EncodedEvent<K> frame = frames.get(key);
                if (frame != null) {
                    sent.add(frame);
                }
            }
            subscriber.revoked(revocation.revoked(), sent, revocation.delivery());
            revocation.delivery().deliver(writers, metrics);
            if (revocation.noKeyLeft()) {
                end(subscriber, EndReason.REVOKED);
            }
            return revocation.revoked();
        }

        @Override
        public void end(Subscriber<K, S> subscriber, EndReason reason) {
            Delivery<K, S> delivery = new Delivery<>();
            if (subscriber.beginEnd(reason, SseFrames.end(reason), delivery)) {
                delivery.deliver(writers, metrics);
            } else {
                release(subscriber, CloseReason.ENDED);
            }
        }

        /** A drain's end of one subscriber: a retry hint, then {@code end} (shutdown); unstarted ones are closed. */
        void endForShutdown(Subscriber<K, S> subscriber, long retryMillis) {
            Delivery<K, S> delivery = new Delivery<>();
            if (subscriber.beginEnd(EndReason.SHUTDOWN, SseFrames.end(EndReason.SHUTDOWN, retryMillis), delivery)) {
                delivery.deliver(writers, metrics);
            } else {
                release(subscriber, CloseReason.SHUTDOWN);
            }
        }

        @Override
        public void writeFailed(Subscriber<K, S> subscriber, Throwable failure) {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name() + "': write to " + subscriber
                    + " failed, closing it", failure);
            release(subscriber, CloseReason.WRITE_FAILED);
        }

        @Override
        public void written(int events, long lagNanos) {
            if (events > 0) {
                metrics.eventsSent(events);
                if (lagNanos >= 0) {
                    metrics.changesDelivered(lagNanos);
                }
            } else {
                metrics.heartbeatSent();
            }
        }
    }
}
