package io.statusstream.redis;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Cluster mode settings, under {@code status-stream.cluster}. Immutable. Checked when bound, so a bad value stops the
 * application at startup with the property's name, not when the first stream starts.
 *
 * @param enabled     whether streams share a poller and a change log through Redis when the application has a
 *                    Redis connection; {@code false} keeps every instance local
 * @param prefix      first part of every Redis key the streams use; no braces (the stream's name is the hash tag)
 * @param leaseTime   how long the poller's lease lasts unrenewed, at least 30 ms; default: each stream's poll
 *                    interval, so a dead poller is replaced within two intervals
 * @param logLength   approximate number of events kept in each stream's shared log, at least 100; an instance that
 *                    falls further behind rejoins
 */
@ConfigurationProperties("status-stream.cluster")
public record StatusStreamClusterProperties(@DefaultValue("true") boolean enabled,
                                            @DefaultValue("status-stream") String prefix,
                                            Duration leaseTime,
                                            @DefaultValue("10000") int logLength) {

    /**
     * Checks the bound values.
     *
     * @param enabled   whether cluster mode is on when Redis is present
     * @param prefix    non-blank text without braces
     * @param leaseTime at least 30 ms, or {@code null} for each stream's poll interval
     * @param logLength at least 100
     * @throws IllegalArgumentException naming the property that is out of range
     */
    public StatusStreamClusterProperties {
        if (prefix == null || prefix.isBlank() || prefix.contains("{") || prefix.contains("}")) {
            throw new IllegalArgumentException("status-stream.cluster.prefix must be non-blank text without braces,"
                    + " was '" + prefix + "'");
        }
        if (leaseTime != null && leaseTime.toMillis() < 30) {
            throw new IllegalArgumentException("status-stream.cluster.lease-time must be at least 30ms, was "
                    + leaseTime);
        }
        if (logLength < 100) {
            throw new IllegalArgumentException("status-stream.cluster.log-length must be at least 100, was "
                    + logLength);
        }
    }
}
