package io.statusstream.redis;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Cluster mode settings, under {@code status-stream.cluster}. Immutable.
 *
 * @param enabled     whether streams share a poller and a change log through Redis when the application has a
 *                    Redis connection (default {@code true}); {@code false} keeps every instance local
 * @param prefix      first part of every Redis key the streams use (default {@code status-stream})
 * @param leaseTime   how long the poller's lease lasts unrenewed; default: each stream's poll interval, so a dead
 *                    poller is replaced within two intervals
 * @param logLength   approximate number of events kept in each stream's shared log (default 10,000); an instance
 *                    that falls further behind rejoins
 */
@ConfigurationProperties("status-stream.cluster")
public record StatusStreamClusterProperties(@DefaultValue("true") boolean enabled,
                                            @DefaultValue("status-stream") String prefix,
                                            Duration leaseTime,
                                            @DefaultValue("10000") int logLength) {
}
