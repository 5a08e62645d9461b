package io.statusstream.core;

import java.time.Duration;

/** The effective, validated configuration of one engine. Immutable. */
record Settings(String name, Duration pollInterval, int batchSize, Duration heartbeatInterval, int replaySize,
                Duration replayMaxAge, int maxQueuedEvents, Duration stuckClientTimeout, Duration keyRetention,
                Duration maxBackoff, Duration reconnectDelay, Duration reconnectJitter) {
}
