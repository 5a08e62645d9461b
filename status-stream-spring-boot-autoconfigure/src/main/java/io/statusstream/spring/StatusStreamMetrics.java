package io.statusstream.spring;

import io.statusstream.core.StatusStream;
import io.statusstream.core.StreamMetrics;

/**
 * Where the starter reports what its streams do. The starter binds it to Micrometer when a {@code MeterRegistry}
 * bean exists ({@code status.stream.*} meters tagged {@code stream=<name>}); declare a bean of this type to replace
 * that.
 *
 * <p>Implementations must be thread-safe and must not throw.
 */
public interface StatusStreamMetrics {

    /** Records nothing. */
    StatusStreamMetrics NONE = new StatusStreamMetrics() {
        @Override
        public StreamMetrics engineMetrics(String stream) {
            return StreamMetrics.NONE;
        }

        @Override
        public void streamStarted(StatusStream<?, ?> stream) {
        }

        @Override
        public void connectionRejected(String stream, int status) {
        }
    };

    /**
     * The engine listener for one stream; called once per stream, before it starts.
     *
     * @param stream the stream's name
     * @return where the engine reports, never {@code null}; {@link StreamMetrics#NONE} to record nothing
     */
    StreamMetrics engineMetrics(String stream);

    /**
     * A stream started: bind its gauges ({@link StatusStream#stats()}).
     *
     * @param stream the stream, just started
     */
    void streamStarted(StatusStream<?, ?> stream);

    /**
     * A stream request was refused before the stream started.
     *
     * @param stream the stream's name
     * @param status the HTTP status it was answered with (400, 401, 403, 404, 429, 503)
     */
    void connectionRejected(String stream, int status);
}
