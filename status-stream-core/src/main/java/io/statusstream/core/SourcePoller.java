package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Asks the source for keys in chunks of the batch size and hands each answer to a {@link ChunkHandler}; keeps the
 * source's health: consecutive failures, one log line per outage, the backoff between polls. Shared by local
 * publishing and the cluster leader, so both poll, back off and report alike.
 *
 * <p>Only a failure of the source counts as one. A handler's failure is the handler's: a cluster failure
 * ({@link ClusterLeader.SharedLogFailure}, {@link StreamCluster.LeadershipLostException}) propagates to the leader,
 * anything else is logged as a bug and costs only its chunk.
 *
 * <p>Confined to the poller thread; {@link #consecutiveFailures()}, {@link #lastFailure()} and
 * {@link #lastSuccessNanos()} may be read anywhere.
 */
final class SourcePoller<K, S> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private final String name;
    private final StateSource<K, S> source;
    private final int batchSize;
    private final Duration interval;
    private final Duration maxBackoff;
    private final StreamScheduler clock;
    private final StreamMetrics metrics;
    /** Poller-confined. */
    private long outageStartNanos;
    /** Written by the poller; read by stats. */
    private volatile int consecutiveFailures;
    private volatile String lastFailure;
    private volatile long lastSuccessNanos;

    SourcePoller(Settings settings, StateSource<K, S> source, StreamScheduler clock, StreamMetrics metrics) {
        this.name = settings.name();
        this.source = source;
        this.batchSize = settings.batchSize();
        this.interval = settings.pollInterval();
        this.maxBackoff = settings.maxBackoff();
        this.clock = clock;
        this.metrics = metrics;
        this.lastSuccessNanos = clock.nanoTime();
    }

    /**
     * Fetches {@code keys} chunk by chunk; a failing chunk does not stop the others.
     *
     * @return whether the source answered every chunk
     */
    boolean poll(List<K> keys, ChunkHandler<K, S> handler) {
        if (keys.isEmpty()) {
            if (consecutiveFailures == 0) {
                // Nothing to fetch is nothing stale, unless the source is failing: then the failing keys wait on.
                lastSuccessNanos = clock.nanoTime();
            }
            return true;
        }
        StreamMetrics.Span span = metrics.pollStarted(keys.size());
        RuntimeException failure = null;
        try {
            failure = pollChunks(keys, handler);
            return failure == null;
        } catch (RuntimeException notTheSource) {
            failure = notTheSource;
            throw notTheSource;
        } finally {
            span.end(failure);
        }
    }

    /** @return the source's failure, {@code null} if it answered every chunk */
    private RuntimeException pollChunks(List<K> keys, ChunkHandler<K, S> handler) {
        long start = clock.nanoTime();
        int calls = 0;
        long perClientCalls = 0;
        int changes = 0;
        RuntimeException failure = null;
        for (int from = 0; from < keys.size(); from += batchSize) {
            List<K> chunk = Collections.unmodifiableList(keys.subList(from, Math.min(keys.size(), from + batchSize)));
            calls++;
            Map<K, S> fetched;
            try {
                fetched = fetch(chunk);
            } catch (RuntimeException chunkFailed) {
                // The other chunks are still fetched: one failing chunk must not blind every key.
                if (failure == null) {
                    failure = chunkFailed;
                } else {
                    failure.addSuppressed(chunkFailed);
                }
                continue;
            }
            ChunkResult result = handle(handler, chunk, fetched);
            perClientCalls += result.perClientCalls();
            changes += result.changes();
        }
        if (failure != null) {
            failed(failure);
            return failure;
        }
        succeeded(keys.size(), calls, perClientCalls, changes, start);
        return null;
    }

    private ChunkResult handle(ChunkHandler<K, S> handler, List<K> chunk, Map<K, S> fetched) {
        try {
            return handler.handle(chunk, fetched);
        } catch (ClusterLeader.SharedLogFailure | StreamCluster.LeadershipLostException notTheSource) {
            throw notTheSource;
        } catch (RuntimeException bug) {
            LOG.log(Level.ERROR, "Status stream '" + name + "': publishing " + chunk.size() + " fetched keys failed",
                    bug);
            return ChunkResult.NONE;
        }
    }

    private Map<K, S> fetch(List<K> chunk) {
        Map<K, S> fetched = source.fetch(chunk);
        if (fetched == null) {
            throw new IllegalStateException("StateSource " + source + " returned null for " + chunk.size()
                    + " keys; return an empty map when no key exists");
        }
        return fetched;
    }

    /** How long to wait before the next periodic poll after one that failed: doubling, up to the maximum backoff. */
    long backoffNanos() {
        int doublings = Math.min(consecutiveFailures - 1, 30);
        long intervalNanos = interval.toNanos();
        long max = maxBackoff.toNanos();
        return intervalNanos > max >> doublings ? Math.max(max, intervalNanos) : intervalNanos << doublings;
    }

    int consecutiveFailures() {
        return consecutiveFailures;
    }

    String lastFailure() {
        return lastFailure;
    }

    /**
     * When the last poll that the source answered whole started (or, while the source is not failing, when a poll
     * found nothing to fetch): how fresh what the engine knows is. The engine's start before the first poll.
     */
    long lastSuccessNanos() {
        return lastSuccessNanos;
    }

    private void succeeded(int keys, int calls, long perClientCalls, int changes, long startNanos) {
        // What was fetched is as fresh as the moment it was asked for.
        lastSuccessNanos = startNanos;
        if (consecutiveFailures > 0) {
            int failures = consecutiveFailures;
            Duration outage = Duration.ofNanos(clock.nanoTime() - outageStartNanos);
            LOG.log(Level.INFO, () -> "Status stream '" + name + "': source recovered after " + failures
                    + " failed polls (" + outage.toMillis() + " ms)");
            consecutiveFailures = 0;
            lastFailure = null;
        }
        metrics.pollCompleted(keys, calls, Math.max(0, perClientCalls - calls),
                Duration.ofNanos(clock.nanoTime() - startNanos));
        if (changes > 0) {
            metrics.changesDetected(changes);
        }
    }

    private void failed(RuntimeException failure) {
        lastFailure = failure.toString();
        if (consecutiveFailures++ == 0) {
            outageStartNanos = clock.nanoTime();
            LOG.log(Level.WARNING, "Status stream '" + name + "': its source failed; streams stay open, polling"
                    + " backs off (up to " + maxBackoff + ") until it recovers. Further failures of this"
                    + " outage are logged at DEBUG.", failure);
        } else {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': source still failing ("
                    + consecutiveFailures + " polls)", failure);
        }
        metrics.pollFailed(failure);
    }

    /** What handling one chunk did. */
    record ChunkResult(int changes, long perClientCalls) {
        static final ChunkResult NONE = new ChunkResult(0, 0);
    }

    /** Handles one fetched chunk, on the poller. */
    @FunctionalInterface
    interface ChunkHandler<K, S> {
        ChunkResult handle(List<K> chunk, Map<K, S> fetched);
    }
}
