package io.statusstream.redis;

import java.time.Duration;

/**
 * The settings of one {@link RedisStreamCluster}, fixed when it is built. Immutable.
 *
 * @param prefix        first part of every Redis key
 * @param leaseTime     how long the leader's lease lasts unrenewed
 * @param historyLength events kept per key
 * @param logLength     approximate length of the shared log
 * @param readBlock     how long one read of the log waits for events
 * @param memberId      this member's id in the cluster
 */
record ClusterSettings(String prefix, Duration leaseTime, int historyLength, int logLength, Duration readBlock,
                       String memberId) {

    /** How long a member's registration lives unrenewed: three lease times, so one late heartbeat costs nothing. */
    long memberTtlMillis() {
        return leaseTime.toMillis() * 3;
    }

    /** Heartbeats come three times per lease time. */
    long heartbeatPeriodMillis() {
        return Math.max(1, leaseTime.toMillis() / 3);
    }

    /** The prefix of every Redis key of one stream; its hash tag keeps them in one slot of a Redis Cluster. */
    String keyPrefix(String streamName) {
        return prefix + ":{" + streamName + "}:";
    }
}
