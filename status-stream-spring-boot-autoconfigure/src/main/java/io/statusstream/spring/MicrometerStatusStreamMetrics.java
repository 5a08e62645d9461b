package io.statusstream.spring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.ObservationRegistry;
import io.statusstream.core.CloseReason;
import io.statusstream.core.StatusStream;
import io.statusstream.core.StreamMetrics;
import io.statusstream.core.StreamStats;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link StatusStreamMetrics} on Micrometer. Meters are registered once per stream, so the hot path only increments
 * (and records one delivery lag per write that carries changes). With an {@link ObservationRegistry} that is not a
 * no-op, polls and touches are also observed ({@link StreamObservations}).
 * The {@code status.stream.cluster.*} meters exist only for a stream in cluster mode (one with a
 * {@link io.statusstream.core.StreamCluster}, whose mode is never {@link StreamStats.Mode#LOCAL}): a local stream has
 * no cluster to report on, and gauges that read 0 would look like a cluster that lost its lease. Thread-safe:
 * Micrometer meters are.
 */
final class MicrometerStatusStreamMetrics implements StatusStreamMetrics {

    static final String PREFIX = "status.stream.";

    private final MeterRegistry registry;
    private final ObservationRegistry observations;

    MicrometerStatusStreamMetrics(MeterRegistry registry, ObservationRegistry observations) {
        this.registry = registry;
        this.observations = observations;
    }

    @Override
    public StreamMetrics engineMetrics(String stream) {
        return new EngineMeters(registry, Tags.of("stream", stream), new StreamObservations(observations, stream));
    }

    @Override
    public void streamStarted(StatusStream<?, ?> stream) {
        Tags tags = Tags.of("stream", stream.name());
        Gauge.builder(PREFIX + "subscribers", stream, s -> s.stats().subscribers())
                .description("Open subscriptions").tags(tags).register(registry);
        Gauge.builder(PREFIX + "watched.keys", stream, s -> s.stats().watchedKeys())
                .description("Keys polled each interval").tags(tags).register(registry);
        Gauge.builder(PREFIX + "source.healthy", stream, s -> s.stats().sourceHealthy() ? 1 : 0)
                .description("1 while the source answers, 0 while its polls fail").tags(tags).register(registry);
        Gauge.builder(PREFIX + "source.consecutive.failures", stream, s -> s.stats().consecutiveFailures())
                .description("Failed polls since the last successful one").tags(tags).register(registry);
        TimeGauge.builder(PREFIX + "source.staleness", stream, TimeUnit.NANOSECONDS, s -> staleness(s.stats()))
                .description("How old what the stream last fetched is: time since the start of the last poll the"
                        + " source answered; NaN on a cluster member that does not poll").tags(tags).register(registry);
        if (stream.stats().mode() == StreamStats.Mode.LOCAL) {
            return;
        }
        Gauge.builder(PREFIX + "cluster.shared", stream, s -> s.stats().mode() == StreamStats.Mode.CLUSTER ? 1 : 0)
                .description("1 while this instance fans out from the cluster's shared log, 0 while it polls alone")
                .tags(tags).register(registry);
        Gauge.builder(PREFIX + "cluster.poller", stream, s -> s.stats().clusterPoller() ? 1 : 0)
                .description("1 while this instance holds the cluster's lease and polls for every instance")
                .tags(tags).register(registry);
        for (StreamStats.Mode mode : StreamStats.Mode.values()) {
            modeChanges(registry, tags, mode);
        }
    }

    private static double staleness(StreamStats stats) {
        return stats.staleness() == null ? Double.NaN : stats.staleness().toNanos();
    }

    /** Registers the counter, or finds it registered: the engine's listener looks it up at each (rare) switch. */
    private static Counter modeChanges(MeterRegistry registry, Tags tags, StreamStats.Mode mode) {
        return Counter.builder(PREFIX + "cluster.mode.changes")
                .description("Switches of where events come from, by new mode (local_fallback: the cluster"
                        + " became unreachable)")
                .tags(tags).tag("mode", mode.name().toLowerCase(Locale.ROOT)).register(registry);
    }

    @Override
    public void connectionRejected(String stream, int status) {
        Counter.builder(PREFIX + "connections.rejected")
                .description("Stream requests refused before the stream started")
                .tags("stream", stream, "status", Integer.toString(status))
                .register(registry)
                .increment();
    }

    /** The engine's counters and timers for one stream. */
    private static final class EngineMeters implements StreamMetrics {

        private final Timer polls;
        private final Timer deliveryLag;
        private final Counter pollErrors;
        private final Counter pollsSkipped;
        private final Counter sourceCalls;
        private final Counter sourceCallsSaved;
        private final Counter changes;
        private final Counter eventsSent;
        private final Counter eventsCoalesced;
        private final Counter heartbeats;
        private final Counter subscribersOpened;
        private final Map<CloseReason, Counter> subscribersClosed = new EnumMap<>(CloseReason.class);
        private final MeterRegistry registry;
        private final Tags tags;
        private final StreamObservations observations;

        EngineMeters(MeterRegistry registry, Tags tags, StreamObservations observations) {
            this.registry = registry;
            this.tags = tags;
            this.observations = observations;
            polls = Timer.builder(PREFIX + "polls").description("Successful polls and the time they took")
                    .tags(tags).register(registry);
            deliveryLag = Timer.builder(PREFIX + "delivery.lag")
                    .description("From a change's detection by a poll to its write to a client; once per write, by"
                            + " the oldest change in it (snapshots and replays are not timed)")
                    .tags(tags).register(registry);
            pollErrors = counter(registry, "poll.errors", "Failed polls", tags);
            pollsSkipped = counter(registry, "polls.skipped", "Poll ticks skipped because a poll overran", tags);
            sourceCalls = counter(registry, "source.calls", "Calls made to the state source", tags);
            sourceCallsSaved = counter(registry, "source.calls.saved",
                    "Source calls (database statements) saved against one query per client per key", tags);
            changes = counter(registry, "changes", "Changes detected", tags);
            eventsSent = counter(registry, "events.sent", "Events written to clients", tags);
            eventsCoalesced = counter(registry, "events.coalesced",
                    "Undelivered events replaced by a newer state for a slow client", tags);
            heartbeats = counter(registry, "heartbeats", "Heartbeat events written", tags);
            subscribersOpened = counter(registry, "subscribers.opened", "Subscriptions opened", tags);
            for (CloseReason reason : CloseReason.values()) {
                subscribersClosed.put(reason, Counter.builder(PREFIX + "subscribers.closed")
                        .description("Subscriptions ended, by reason (stuck: cut for making no progress)")
                        .tags(tags).tag("reason", reason.name().toLowerCase(Locale.ROOT)).register(registry));
            }
        }

        @Override
        public void modeChanged(StreamStats.Mode mode) {
            // Only a stream in cluster mode switches, and rarely: no meter for a local stream, no cost per event.
            modeChanges(registry, tags, mode).increment();
        }

        private static Counter counter(MeterRegistry registry, String name, String description, Tags tags) {
            return Counter.builder(PREFIX + name).description(description).tags(tags).register(registry);
        }

        @Override
        public void pollCompleted(int keys, int calls, long perClientCallsAvoided, Duration duration) {
            polls.record(duration);
            sourceCalls.increment(calls);
            sourceCallsSaved.increment(perClientCallsAvoided);
        }

        @Override
        public void pollFailed(Throwable failure) {
            pollErrors.increment();
        }

        @Override
        public void pollsSkipped(long ticks) {
            pollsSkipped.increment(ticks);
        }

        @Override
        public void changesDetected(int count) {
            changes.increment(count);
        }

        @Override
        public void eventsSent(int events) {
            eventsSent.increment(events);
        }

        @Override
        public void changesDelivered(long lagNanos) {
            deliveryLag.record(lagNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public Span pollStarted(int keys) {
            return observations.poll(keys);
        }

        @Override
        public Span touched(int keys) {
            return observations.touch(keys);
        }

        @Override
        public void eventCoalesced() {
            eventsCoalesced.increment();
        }

        @Override
        public void heartbeatSent() {
            heartbeats.increment();
        }

        @Override
        public void subscriberOpened() {
            subscribersOpened.increment();
        }

        @Override
        public void subscriberClosed(CloseReason reason) {
            subscribersClosed.get(reason).increment();
        }
    }
}
