package io.statusstream.spring;

import io.statusstream.core.StatusStream;
import io.statusstream.core.StreamStats;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Health of every stream's source: {@code DOWN} while some stream's polls fail, with each stream's gauges and last
 * failure as details. A stream with a cluster also shows its mode ({@code cluster}, {@code joining},
 * {@code local_fallback}), whether this instance is the cluster's poller, and why it polls alone; an unreachable
 * cluster leaves the status {@code UP}, because the instance still streams, from its own polls. Reads {@link StatusStream#stats()} only: it never calls a source itself. Thread-safe.
 */
final class StatusStreamHealthIndicator implements HealthIndicator {

    private final StatusStreams streams;

    StatusStreamHealthIndicator(StatusStreams streams) {
        this.streams = streams;
    }

    @Override
    public Health health() {
        boolean allHealthy = true;
        Map<String, Object> details = new LinkedHashMap<>();
        for (String name : streams.names()) {
            StreamStats stats = streams.get(name).stats();
            allHealthy &= stats.sourceHealthy();
            Map<String, Object> stream = new LinkedHashMap<>();
            stream.put("sourceHealthy", stats.sourceHealthy());
            stream.put("subscribers", stats.subscribers());
            stream.put("watchedKeys", stats.watchedKeys());
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
        return (allHealthy ? Health.up() : Health.down()).withDetails(details).build();
    }
}
