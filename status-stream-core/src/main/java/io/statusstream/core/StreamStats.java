package io.statusstream.core;

/**
 * A point-in-time view of one stream, for gauges and health checks. Immutable.
 *
 * @param name                the stream's name
 * @param subscribers         open subscriptions
 * @param watchedKeys         keys polled each interval, retained idle keys included
 * @param sourceHealthy       {@code false} while the source's last poll failed
 * @param consecutiveFailures failed polls since the last successful one
 * @param lastFailure         the last failure's description while unhealthy, else {@code null}
 * @param lastEventSeq        the sequence number of the newest event
 */
public record StreamStats(String name, int subscribers, int watchedKeys, boolean sourceHealthy,
                          int consecutiveFailures, String lastFailure, long lastEventSeq) {
}
