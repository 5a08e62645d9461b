package io.statusstream.spring;

import io.statusstream.core.EventSerializer;
import io.statusstream.core.StatusStream;
import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.StreamCluster;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Starts one engine per {@link StreamDefinition} and closes them all when the application context closes.
 *
 * <p>The definitions (and the serializer, metrics and cluster beans) are looked up when the streams start, not when
 * this bean is created: at the first {@link #get}, or once all singletons are instantiated, whichever comes first. So
 * a bean that injects {@link StatusStreams} (to {@code touch} after its writes) may itself be needed by a definition,
 * or be the configuration class that declares one, without a dependency cycle.
 *
 * <p>Closing happens on {@link ContextClosedEvent}, which comes before the web server's graceful shutdown: every
 * stream is {@linkplain StatusStream#drain drained} over {@code status-stream.shutdown.drain-period}, all streams
 * side by side, its responses completed in waves (clients reconnect spread out, possibly to another instance)
 * instead of holding graceful shutdown until its timeout. The event's thread waits for the drains, at most the period
 * plus {@link #DRAIN_GRACE} (less if they stand still, see {@link #awaitDrains}), then closes whatever is left. Thread-safe: the map of streams is built once, under this
 * object's lock, and fixed after that (published through a volatile field).
 */
final class StatusStreamRegistry implements StatusStreams, ApplicationListener<ContextClosedEvent>,
        SmartInitializingSingleton, DisposableBean {

    private static final Log LOG = LogFactory.getLog(StatusStreamRegistry.class);
    /** How much longer than the drain period shutdown waits for the drains, before it closes the rest at once. */
    static final Duration DRAIN_GRACE = Duration.ofSeconds(5);
    /** How long a drain may stand still (see {@link #awaitDrains}) before the rest is closed at once. */
    static final Duration DRAIN_STALL = Duration.ofSeconds(3);

    private final ApplicationContext context;
    private final Supplier<List<StreamDefinition<?, ?>>> definitions;
    private final StatusStreamProperties properties;
    private final Supplier<EventSerializerFactory> serializers;
    private final Supplier<StatusStreamMetrics> metrics;
    private final Supplier<StreamClusterFactory> clusters;
    /** Null until the streams start; then fixed. Written under this object's lock. */
    private volatile Map<String, Entry<?, ?>> started;
    private boolean closed;

    StatusStreamRegistry(ApplicationContext context, Supplier<List<StreamDefinition<?, ?>>> definitions,
                         StatusStreamProperties properties, Supplier<EventSerializerFactory> serializers,
                         Supplier<StatusStreamMetrics> metrics, Supplier<StreamClusterFactory> clusters) {
        this.context = context;
        this.definitions = definitions;
        this.properties = properties;
        this.serializers = serializers;
        this.metrics = metrics;
        this.clusters = clusters;
    }

    /** Starts every stream, unless that happened before. */
    private Map<String, Entry<?, ?>> entriesStarted() {
        Map<String, Entry<?, ?>> current = started;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (started == null) {
                if (closed) {
                    throw new IllegalStateException("the status streams were closed with the application context");
                }
                started = startAll(definitions.get(), serializers.get(), metrics.get(), clusters.get());
            }
            return started;
        }
    }

    private Map<String, Entry<?, ?>> startAll(List<StreamDefinition<?, ?>> definitions,
                                              EventSerializerFactory serializers, StatusStreamMetrics metrics,
                                              StreamClusterFactory clusters) {
        Map<String, Entry<?, ?>> entries = new LinkedHashMap<>();
        Set<String> unknown = new TreeSet<>(properties.streams().keySet());
        for (StreamDefinition<?, ?> definition : definitions) {
            if (entries.containsKey(definition.name())) {
                closeAll(entries);
                throw new StatusStreamConfigurationException("Two StreamDefinition beans are named '"
                        + definition.name() + "'", "Give each stream a name of its own:"
                        + " StreamDefinition.builder(name, source)");
            }
            unknown.remove(definition.name());
            try {
                entries.put(definition.name(), start(definition, properties.settingsFor(definition.name()),
                        serializers, metrics, clusters));
            } catch (RuntimeException failure) {
                closeAll(entries);
                throw failure;
            }
        }
        if (!unknown.isEmpty()) {
            closeAll(entries);
            throw new StatusStreamConfigurationException("status-stream.streams configures " + unknown + ", but the"
                    + " declared streams are " + entries.keySet(), "Correct the name in status-stream.streams.<name>.*"
                    + " to one of " + entries.keySet() + ", or remove those settings");
        }
        return entries;
    }

    @Override
    public void afterSingletonsInstantiated() {
        entriesStarted();
    }

    private static <K, S> Entry<K, S> start(StreamDefinition<K, S> definition, StatusStreamProperties.Stream settings,
                                            EventSerializerFactory serializers, StatusStreamMetrics metrics,
                                            StreamClusterFactory clusters) {
        StatusStreamBuilder<K, S> builder = StatusStream.builder(definition.source()).name(definition.name());
        if (settings.pollInterval() != null) {
            builder.pollInterval(settings.pollInterval());
        }
        if (settings.batchSize() != null) {
            builder.batchSize(settings.batchSize());
        }
        if (settings.heartbeatInterval() != null) {
            builder.heartbeatInterval(settings.heartbeatInterval());
        }
        if (settings.replaySize() != null || settings.replayMaxAge() != null) {
            builder.replay(or(settings.replaySize(), StatusStreamBuilder.DEFAULT_REPLAY_SIZE),
                    or(settings.replayMaxAge(), StatusStreamBuilder.DEFAULT_REPLAY_MAX_AGE));
        }
        if (settings.maxQueuedEvents() != null) {
            builder.maxQueuedEvents(settings.maxQueuedEvents());
        }
        if (settings.stuckClientTimeout() != null) {
            builder.stuckClientTimeout(settings.stuckClientTimeout());
        }
        if (settings.keyRetention() != null) {
            builder.keyRetention(settings.keyRetention());
        }
        if (settings.maxBackoff() != null) {
            builder.maxBackoff(settings.maxBackoff());
        }
        if (settings.reconnectDelay() != null || settings.reconnectJitter() != null) {
            builder.reconnectDelay(or(settings.reconnectDelay(), StatusStreamBuilder.DEFAULT_RECONNECT_DELAY),
                    or(settings.reconnectJitter(), StatusStreamBuilder.DEFAULT_RECONNECT_JITTER));
        }
        definition.changeDetector().ifPresent(builder::changeDetector);
        definition.changeNotifier().ifPresent(builder::changeNotifier);
        definition.scheduler().ifPresent(builder::scheduler);
        definition.writerExecutor().ifPresent(builder::writerExecutor);
        EventSerializer<K, S> serializer = definition.serializer().orElseGet(() -> serializers.create(definition));
        builder.serializer(serializer);
        builder.metrics(metrics.engineMetrics(definition.name()));
        if (clusters != null) {
            StreamCluster<K> cluster = clusters.create(definition,
                    or(settings.pollInterval(), StatusStreamBuilder.DEFAULT_POLL_INTERVAL),
                    or(settings.replaySize(), StatusStreamBuilder.DEFAULT_REPLAY_SIZE));
            if (cluster != null) {
                builder.cluster(cluster);
            }
        }
        StatusStream<K, S> stream = builder.build();
        metrics.streamStarted(stream);
        return new Entry<>(definition, stream, settings);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, S> StatusStream<K, S> get(StreamDefinition<K, S> definition) {
        Entry<?, ?> entry = entriesStarted().get(definition.name());
        if (entry == null || entry.definition() != definition) {
            throw new IllegalArgumentException(definition + " is not a StreamDefinition bean of this application");
        }
        return (StatusStream<K, S>) entry.stream();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, S> StatusStream<K, S> get(String name) {
        Map<String, Entry<?, ?>> entries = entriesStarted();
        Entry<?, ?> entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("no status stream is named '" + name + "'; the streams are "
                    + entries.keySet());
        }
        return (StatusStream<K, S>) entry.stream();
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(entriesStarted().keySet());
    }

    @Override
    public CompletionStage<Void> recheckAccess(String principalName) {
        Objects.requireNonNull(principalName, "principalName");
        return context.getBean(OpenStreams.class).recheck(principalName);
    }

    @Override
    public CompletionStage<Void> recheckAccess(String streamName, Collection<?> keys) {
        get(streamName);
        return context.getBean(OpenStreams.class).recheck(streamName, keys);
    }

    /** Every stream with its definition and effective settings, in declaration order. */
    List<Entry<?, ?>> entries() {
        return new ArrayList<>(entriesStarted().values());
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext() == context) {
            Map<String, Entry<?, ?>> entries = markClosed();
            if (entries != null) {
                drainAll(entries, properties.shutdown().drainPeriod());
            }
        }
    }

    @Override
    public void destroy() {
        Map<String, Entry<?, ?>> entries = markClosed();
        if (entries != null) {
            closeAll(entries);
        }
    }

    /** No stream starts from now on. @return the started streams, or {@code null} if none started */
    private synchronized Map<String, Entry<?, ?>> markClosed() {
        closed = true;
        return started;
    }

    /** Drains every stream side by side, waits for them (bounded), closes what is left and logs what it did. */
    private static void drainAll(Map<String, Entry<?, ?>> entries, Duration period) {
        long start = System.nanoTime();
        Map<String, Integer> open = new LinkedHashMap<>();
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (Entry<?, ?> entry : entries.values()) {
            try {
                open.put(entry.definition().name(), entry.stream().stats().subscribers());
                drains.add(entry.stream().drain(period).toCompletableFuture());
            } catch (RuntimeException failure) {
                LOG.warn("Status stream '" + entry.definition().name() + "' failed to drain", failure);
            }
        }
        Duration bound = period.plus(DRAIN_GRACE);
        boolean drained = awaitDrains(entries, CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new)),
                start + bound.toNanos());
        closeAll(entries);
        int streams = open.values().stream().mapToInt(Integer::intValue).sum();
        String took = String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
        if (!drained) {
            LOG.warn("Status streams " + open + " were not drained within the drain period " + period + " plus "
                    + DRAIN_GRACE + ", or stood still for " + DRAIN_STALL + " (a scheduler of the application's that"
                    + " nobody runs?): the streams still open were closed at once, after " + took);
        } else if (period.isZero() || streams == 0) {
            LOG.info("Status streams closed: " + streams + " open streams " + open + " ended at once, in " + took);
        } else {
            LOG.info("Status streams drained: " + streams + " open streams " + open + " ended in waves over the "
                    + period.toMillis() + " ms drain period, each told to reconnect spread over it, in " + took);
        }
    }

    private static void closeAll(Map<String, Entry<?, ?>> entries) {
        for (Entry<?, ?> entry : entries.values()) {
            try {
                entry.stream().close();
            } catch (RuntimeException failure) {
                LOG.warn("Status stream '" + entry.definition().name() + "' failed to close", failure);
            }
        }
    }

    /**
     * Waits until {@code drains} completes, the deadline passes, or the drain stands still: no stream's subscribers
     * and no engine clock changed for {@link #DRAIN_STALL} — the sign of an application's own scheduler that nobody
     * runs, such as a test's {@code ManualStreamScheduler} (the default scheduler's clock always moves).
     *
     * @return whether every drain completed
     */
    private static boolean awaitDrains(Map<String, Entry<?, ?>> entries, CompletableFuture<Void> drains,
                                       long deadlineNanos) {
        List<Long> seen = progress(entries);
        long movedAt = System.nanoTime();
        try {
            while (true) {
                long now = System.nanoTime();
                long wait = Math.min(deadlineNanos - now, DRAIN_STALL.toNanos() / 10);
                if (wait <= 0) {
                    return false;
                }
                try {
                    drains.get(wait, TimeUnit.NANOSECONDS);
                    return true;
                } catch (TimeoutException notYet) {
                    List<Long> current = progress(entries);
                    if (!current.equals(seen)) {
                        seen = current;
                        movedAt = System.nanoTime();
                    } else if (System.nanoTime() - movedAt >= DRAIN_STALL.toNanos()) {
                        return false;
                    }
                }
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | RuntimeException unexpected) {
            return false;
        }
    }

    /** Each stream's subscribers, and the clock of each scheduler an application gave a definition. */
    private static List<Long> progress(Map<String, Entry<?, ?>> entries) {
        List<Long> progress = new ArrayList<>();
        for (Entry<?, ?> entry : entries.values()) {
            progress.add((long) entry.stream().stats().subscribers());
            entry.definition().scheduler().ifPresent(scheduler -> progress.add(scheduler.nanoTime()));
        }
        return progress;
    }

    /** One running stream. */
    record Entry<K, S>(StreamDefinition<K, S> definition, StatusStream<K, S> stream,
                       StatusStreamProperties.Stream settings) {
    }
}
