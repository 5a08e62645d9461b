package io.statusstream.core;

import java.time.Duration;

/**
 * A point-in-time view of one stream, for gauges and health checks. Immutable.
 *
 * @param name                the stream's name
 * @param subscribers         open subscriptions
 * @param watchedKeys         keys polled each interval, retained idle keys included
 * @param sourceHealthy       {@code false} while the source's last poll failed; in a cluster, only the instance
 *                            that polls for all ({@code clusterPoller}) sees the source, so the others report
 *                            {@code true}
 * @param consecutiveFailures failed polls since the last successful one
 * @param lastFailure         the last failure's description while unhealthy, else {@code null}
 * @param lastEventSeq        the sequence number of the newest event
 * @param mode                where this instance's events come from
 * @param clusterPoller       whether this instance polls for its {@link StreamCluster} (holds the lease)
 * @param clusterFailure      why this instance does not fan out from its cluster's log yet or any more
 *                            ({@link Mode#LOCAL_FALLBACK}, also kept while {@link Mode#JOINING}), else {@code null}
 * @param staleness           how old what this instance last fetched is: the time since the start of the last poll
 *                            the source answered whole (polls of no key count while the source is healthy, so an idle
 *                            stream is not stale). It grows while the source fails, and also while a poll hangs, which
 *                            no failure reports. {@code null} while this instance does not poll: a cluster member
 *                            that fans out what another instance polls ({@link Mode#CLUSTER} or {@link Mode#JOINING}
 *                            without {@code clusterPoller})
 */
public record StreamStats(String name, int subscribers, int watchedKeys, boolean sourceHealthy,
                          int consecutiveFailures, String lastFailure, long lastEventSeq, Mode mode,
                          boolean clusterPoller, String clusterFailure, Duration staleness) {

    /** Where an instance's events come from. */
    public enum Mode {
        /** No cluster: this instance polls its own keys. */
        LOCAL,
        /** A cluster is configured but not reachable (or not joined yet): polls its own keys, own epoch. */
        LOCAL_FALLBACK,
        /** The cluster is reachable again; waiting for a round of its poller that covers this instance's keys. */
        JOINING,
        /** Fans out from the cluster's shared log; ids are valid on every instance. */
        CLUSTER
    }
}
