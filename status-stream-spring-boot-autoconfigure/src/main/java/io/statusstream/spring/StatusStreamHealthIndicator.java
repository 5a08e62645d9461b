package io.statusstream.spring;

import io.statusstream.core.StatusStream;
import io.statusstream.core.StreamStats;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Health of every stream's source: {@code DOWN} while some stream's polls fail; else, while what some stream last
 * fetched is older than its maximum staleness ({@code status-stream.health.*}), the configured stale status
 * ({@code UP} unless set); else {@code UP}. Each stream's gauges, staleness and last failure are details. A stream
 * with a cluster also shows its mode ({@code cluster}, {@code joining}, {@code local_fallback}), whether this
 * instance is the cluster's poller, and why it polls alone; an unreachable cluster leaves the status {@code UP},
 * because the instance still streams, from its own polls. A cluster member that does not poll has no staleness of its
 * own. Reads {@link StatusStream#stats()} only: it never calls a source itself. Thread-safe.
 */
final class StatusStreamHealthIndicator implements HealthIndicator {

    private final StatusStreams streams;
    private final StatusStreamProperties properties;
    private final Status staleStatus;

    StatusStreamHealthIndicator(StatusStreams streams, StatusStreamProperties properties) {
        this.streams = streams;
        this.properties = properties;
        this.staleStatus = new Status(properties.health().staleStatus());
    }

    @Override
    public Health health() {
        boolean allHealthy = true;
        boolean anyStale = false;
        Map<String, Object> details = new LinkedHashMap<>();
        for (String name : streams.names()) {
            StreamStats stats = streams.get(name).stats();
            allHealthy &= stats.sourceHealthy();
            Map<String, Object> stream = new LinkedHashMap<>();
            stream.put("sourceHealthy", stats.sourceHealthy());
            stream.put("subscribers", stats.subscribers());
            stream.put("watchedKeys", stats.watchedKeys());
            if (stats.staleness() != null) {
                boolean stale = stats.staleness().compareTo(properties.maxStalenessFor(name)) > 0;
                anyStale |= stale;
                stream.put("stale", stale);
                stream.put("staleness", Duration.ofMillis(stats.staleness().toMillis()).toString());
            }
            if (stats.mode() != StreamStats.Mode.LOCAL) {
                stream.put("mode", stats.mode().name().toLowerCase(Locale.ROOT));
                stream.put("clusterPoller", stats.clusterPoller());
                if (stats.clusterFailure() != null) {
                    stream.put("clusterFailure", stats.clusterFailure());
                }
            }
            if (!stats.sourceHealthy()) {
                stream.put("consecutiveFailures", stats.consecutiveFailures());
                stream.put("lastFailure", stats.lastFailure());
            }
            details.put(name, stream);
        }
        Status status = !allHealthy ? Status.DOWN : anyStale ? staleStatus : Status.UP;
        return Health.status(status).withDetails(details).build();
    }
}
