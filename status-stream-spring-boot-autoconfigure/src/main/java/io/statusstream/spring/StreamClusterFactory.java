package io.statusstream.spring;

import io.statusstream.core.StreamCluster;

import java.time.Duration;

/**
 * Makes the {@link StreamCluster} of each stream, so that several instances of the application share one poller and
 * one change log. Without a bean of this type every stream runs in local mode. {@code status-stream-redis} declares
 * one when the application has a Redis connection; declare your own to choose per stream, or return {@code null} to
 * keep a stream local.
 *
 * <p>Called once per stream at startup. Implementations must be thread-safe.
 */
public interface StreamClusterFactory {

    /**
     * @param definition   the stream's definition; its key formatter and parser turn keys into text and back
     * @param pollInterval the stream's effective poll interval
     * @param replaySize   the stream's effective replay size (events per key kept for {@code Last-Event-ID})
     * @param <K>          key type
     * @param <S>          state type
     * @return the stream's cluster, or {@code null} for local mode
     */
    <K, S> StreamCluster<K> create(StreamDefinition<K, S> definition, Duration pollInterval, int replaySize);
}
