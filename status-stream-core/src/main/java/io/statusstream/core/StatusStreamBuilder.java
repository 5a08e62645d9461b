package io.statusstream.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Configures and starts a {@link StatusStream}. Obtain one from {@link StatusStream#builder(StateSource)}.
 *
 * <p>Each setting is checked when it is set and may be set only once, so a configuration mistake fails where it is
 * made. {@link #build()} does not change the builder. Defaults are the {@code DEFAULT_*} constants, which the
 * Spring Boot starter reuses for its properties.
 *
 * <p>Not thread-safe: configure on one thread.
 *
 * @param <K> key type
 * @param <S> state type
 */
public final class StatusStreamBuilder<K, S> {

    /** How often every watched key is fetched: every 2 seconds, as the seed design polled. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    /** Keys per source call. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /** Interval of {@code ping} heartbeat events on idle streams, short enough for common proxy idle timeouts. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);
    /** Changes retained per key for {@code Last-Event-ID} replay. */
    public static final int DEFAULT_REPLAY_SIZE = 16;
    /** How long a change stays replayable. */
    public static final Duration DEFAULT_REPLAY_MAX_AGE = Duration.ofMinutes(5);
    /** Most events one subscriber may have queued by a replay; a longer replay is sent as snapshots. */
    public static final int DEFAULT_MAX_QUEUED_EVENTS = 256;
    /** How long a subscriber may make no write progress before it is closed as stuck. */
    public static final Duration DEFAULT_STUCK_CLIENT_TIMEOUT = Duration.ofSeconds(30);
    /** How long a key stays watched after its last subscriber left, so a quick reconnect gets a replay. */
    public static final Duration DEFAULT_KEY_RETENTION = Duration.ofSeconds(30);
    /** Longest wait between polls while the source keeps failing. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    /** The SSE {@code retry} hint: how long a browser waits before reconnecting, before jitter. */
    public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofSeconds(3);
    /** Random extra reconnect delay, up to this much, so clients cut together do not reconnect together. */
    public static final Duration DEFAULT_RECONNECT_JITTER = Duration.ofSeconds(2);

    private final StateSource<K, S> source;
    private String name;
    private Duration pollInterval;
    private int batchSize;
    private Duration heartbeatInterval;
    private int replaySize = -1;
    private Duration replayMaxAge;
    private int maxQueuedEvents;
    private Duration stuckClientTimeout;
    private Duration keyRetention;
    private Duration maxBackoff;
    private Duration reconnectDelay;
    private Duration reconnectJitter;
    private ChangeDetector<S> changeDetector;
    private ChangeNotifier<K> changeNotifier;
    private StreamCluster<K> cluster;
    private EventSerializer<K, S> serializer;
    private Executor writerExecutor;
    private StreamScheduler scheduler;
    private StreamMetrics metrics;

    StatusStreamBuilder(StateSource<K, S> source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * The name used in logs, metrics and thread names; default {@code "status-stream"}.
     *
     * @param name the name, not {@code null} or blank
     * @return this builder
     */
    public StatusStreamBuilder<K, S> name(String name) {
        requireUnset(this.name, "name");
        requireArgument(name != null && !name.isBlank(), "name must not be blank");
        this.name = name;
        return this;
    }

    /**
     * How often every watched key is fetched; see {@link #DEFAULT_POLL_INTERVAL}.
     *
     * @param interval time from one poll's start to the next, positive
     * @return this builder
     */
    public StatusStreamBuilder<K, S> pollInterval(Duration interval) {
        requireUnset(pollInterval, "pollInterval");
        pollInterval = requirePositive(interval, "pollInterval");
        return this;
    }

    /**
     * Most keys per source call; see {@link #DEFAULT_BATCH_SIZE}.
     *
     * @param size most keys one {@link StateSource#fetch} call is given, positive
     * @return this builder
     */
    public StatusStreamBuilder<K, S> batchSize(int size) {
        requireState(batchSize == 0, "batchSize was already set to %s", batchSize);
        requireArgument(size > 0, "batchSize must be positive, was " + size);
        batchSize = size;
        return this;
    }

    /**
     * Interval of heartbeat events on idle streams; see {@link #DEFAULT_HEARTBEAT_INTERVAL}.
     *
     * @param interval how long a subscriber may be sent nothing before a heartbeat, positive
     * @return this builder
     */
    public StatusStreamBuilder<K, S> heartbeatInterval(Duration interval) {
        requireUnset(heartbeatInterval, "heartbeatInterval");
        heartbeatInterval = requirePositive(interval, "heartbeatInterval");
        return this;
    }

    /**
     * How many changes are retained per key, and for how long, for {@code Last-Event-ID} replay; see
     * {@link #DEFAULT_REPLAY_SIZE} and {@link #DEFAULT_REPLAY_MAX_AGE}. A size of 0 turns replay off: every
     * reconnect gets snapshots.
     *
     * @param size   changes retained per key, zero or positive
     * @param maxAge how long a change stays replayable, positive
     * @return this builder
     */
    public StatusStreamBuilder<K, S> replay(int size, Duration maxAge) {
        requireState(replaySize < 0, "replay was already set to %s", replaySize);
        requireArgument(size >= 0, "replay size must not be negative, was " + size);
        replayMaxAge = requirePositive(maxAge, "replay maxAge");
        replaySize = size;
        return this;
    }

    /**
     * Most events a replay may queue for one subscriber; a longer replay is sent as one snapshot per key instead.
     * Live events never grow a queue beyond one per key, since a newer state replaces an undelivered older one.
     * See {@link #DEFAULT_MAX_QUEUED_EVENTS}.
     *
     * @param max most replayed events queued for one subscriber, positive
     * @return this builder
     */
    public StatusStreamBuilder<K, S> maxQueuedEvents(int max) {
        requireState(maxQueuedEvents == 0, "maxQueuedEvents was already set to %s", maxQueuedEvents);
        requireArgument(max > 0, "maxQueuedEvents must be positive, was " + max);
        maxQueuedEvents = max;
        return this;
    }

    /**
     * How long a subscriber may make no write progress before it is closed; see
     * {@link #DEFAULT_STUCK_CLIENT_TIMEOUT}.
     *
     * @param timeout longest wait for a write to progress, positive
     * @return this builder
     */
    public StatusStreamBuilder<K, S> stuckClientTimeout(Duration timeout) {
        requireUnset(stuckClientTimeout, "stuckClientTimeout");
        stuckClientTimeout = requirePositive(timeout, "stuckClientTimeout");
        return this;
    }

    /**
     * How long a key stays watched after its last subscriber left; zero unwatches at once. See
     * {@link #DEFAULT_KEY_RETENTION}.
     *
     * @param retention how long an unsubscribed key is still polled, zero or positive
     * @return this builder
     */
    public StatusStreamBuilder<K, S> keyRetention(Duration retention) {
        requireUnset(keyRetention, "keyRetention");
        keyRetention = requireNotNegative(retention, "keyRetention");
        return this;
    }

    /**
     * Longest wait between polls while the source keeps failing; see {@link #DEFAULT_MAX_BACKOFF}.
     *
     * @param backoff the cap of the growing wait after failed polls, positive
     * @return this builder
     */
    public StatusStreamBuilder<K, S> maxBackoff(Duration backoff) {
        requireUnset(maxBackoff, "maxBackoff");
        maxBackoff = requirePositive(backoff, "maxBackoff");
        return this;
    }

    /**
     * The SSE {@code retry} hint sent first on every stream: {@code delay} plus a random share of {@code jitter},
     * drawn per subscriber. See {@link #DEFAULT_RECONNECT_DELAY} and {@link #DEFAULT_RECONNECT_JITTER}.
     *
     * @param delay  the least delay a subscriber is told, zero or positive; sent in whole milliseconds
     * @param jitter the most extra delay a subscriber may draw, zero or positive; zero for none
     * @return this builder
     */
    public StatusStreamBuilder<K, S> reconnectDelay(Duration delay, Duration jitter) {
        requireUnset(reconnectDelay, "reconnectDelay");
        reconnectJitter = requireNotNegative(jitter, "reconnect jitter");
        reconnectDelay = requireNotNegative(delay, "reconnectDelay");
        return this;
    }

    /**
     * How changes are recognised; default {@link ChangeDetector#equality()}.
     *
     * @param detector decides which fetched states are sent, never {@code null}
     * @return this builder
     */
    public StatusStreamBuilder<K, S> changeDetector(ChangeDetector<S> detector) {
        requireUnset(changeDetector, "changeDetector");
        changeDetector = Objects.requireNonNull(detector, "changeDetector");
        return this;
    }

    /**
     * Push hints that make changes arrive before the next poll; default {@link ChangeNotifier#none()}.
     *
     * @param notifier never {@code null}; started and closed by the stream
     * @return this builder
     */
    public StatusStreamBuilder<K, S> changeNotifier(ChangeNotifier<K> notifier) {
        requireUnset(changeNotifier, "changeNotifier");
        changeNotifier = Objects.requireNonNull(notifier, "changeNotifier");
        return this;
    }

    /**
     * Shares one poller and one change log with the other instances of this stream, for an application that runs
     * several instances behind a load balancer; default none (local mode). See {@link StreamCluster}. The serializer
     * must then not put the event id into the data, as a shared log compares states by their snapshot data.
     *
     * @param cluster this instance's view of the cluster, never {@code null}; started and closed by the stream
     * @return this builder
     */
    public StatusStreamBuilder<K, S> cluster(StreamCluster<K> cluster) {
        requireUnset(this.cluster, "cluster");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        return this;
    }

    /**
     * Turns events into SSE data text; default {@link EventSerializer#stateToString()}.
     *
     * @param serializer never {@code null}; thread-safe if other streams use it too
     * @return this builder
     */
    public StatusStreamBuilder<K, S> serializer(EventSerializer<K, S> serializer) {
        requireUnset(this.serializer, "serializer");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        return this;
    }

    /**
     * Runs writes to subscribers. It must not run tasks on the calling thread in production (the poller would wait
     * for sockets) and should not be bounded so tightly that stuck clients starve others: a write to a client that
     * does not read holds its thread until the client is cut. A task it refuses is retried at the next heartbeat
     * tick. Not shut down by the stream. Default, owned and shut down by the stream: a virtual thread per drain on
     * Java 21+; on Java 17, 64 daemon threads plus one for every write blocked longer than a second, so stuck
     * clients never take the threads healthy ones need.
     *
     * @param executor runs the writes to subscribers, never {@code null}
     * @return this builder
     */
    public StatusStreamBuilder<K, S> writerExecutor(Executor executor) {
        requireUnset(writerExecutor, "writerExecutor");
        writerExecutor = Objects.requireNonNull(executor, "writerExecutor");
        return this;
    }

    /**
     * The clock and poller thread. Not closed by the stream. Default: {@link StreamScheduler#singleThread} owned
     * and closed by the stream.
     *
     * @param scheduler runs the stream's polls and timers, never {@code null}
     * @return this builder
     */
    public StatusStreamBuilder<K, S> scheduler(StreamScheduler scheduler) {
        requireUnset(this.scheduler, "scheduler");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        return this;
    }

    /**
     * Where counters and timings go; default {@link StreamMetrics#NONE}.
     *
     * @param metrics receives the stream's counters and timings, never {@code null}
     * @return this builder
     */
    public StatusStreamBuilder<K, S> metrics(StreamMetrics metrics) {
        requireUnset(this.metrics, "metrics");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        return this;
    }

    /**
     * Builds and starts the stream: its notifier is started and its first poll scheduled. Logs the effective
     * settings once.
     *
     * @return a new, running stream; {@link StatusStream#close() close} it to stop polling
     */
    public StatusStream<K, S> build() {
        Settings settings = new Settings(
                name == null ? "status-stream" : name,
                orDefault(pollInterval, DEFAULT_POLL_INTERVAL),
                batchSize == 0 ? DEFAULT_BATCH_SIZE : batchSize,
                orDefault(heartbeatInterval, DEFAULT_HEARTBEAT_INTERVAL),
                replaySize < 0 ? DEFAULT_REPLAY_SIZE : replaySize,
                orDefault(replayMaxAge, DEFAULT_REPLAY_MAX_AGE),
                maxQueuedEvents == 0 ? DEFAULT_MAX_QUEUED_EVENTS : maxQueuedEvents,
                orDefault(stuckClientTimeout, DEFAULT_STUCK_CLIENT_TIMEOUT),
                orDefault(keyRetention, DEFAULT_KEY_RETENTION),
                orDefault(maxBackoff, DEFAULT_MAX_BACKOFF),
                orDefault(reconnectDelay, DEFAULT_RECONNECT_DELAY),
                orDefault(reconnectJitter, DEFAULT_RECONNECT_JITTER));
        return PollingStatusStream.start(settings, source,
                changeDetector == null ? ChangeDetector.equality() : changeDetector,
                changeNotifier == null ? ChangeNotifier.none() : changeNotifier, cluster,
                serializer == null ? EventSerializer.stateToString() : serializer,
                metrics == null ? StreamMetrics.NONE : metrics,
                writerExecutor, scheduler);
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static void requireUnset(Object current, String setting) {
        requireState(current == null, "%s was already set to %s", setting, current);
    }

    private static void requireState(boolean condition, String template, Object... args) {
        if (!condition) {
            throw new IllegalStateException(String.format(template, args));
        }
    }

    private static void requireArgument(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private static Duration requirePositive(Duration duration, String setting) {
        Objects.requireNonNull(duration, setting);
        requireArgument(!duration.isNegative() && !duration.isZero(), setting + " must be positive, was " + duration);
        return duration;
    }

    private static Duration requireNotNegative(Duration duration, String setting) {
        Objects.requireNonNull(duration, setting);
        requireArgument(!duration.isNegative(), setting + " must not be negative, was " + duration);
        return duration;
    }
}
