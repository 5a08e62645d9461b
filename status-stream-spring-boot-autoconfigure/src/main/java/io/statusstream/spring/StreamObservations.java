package io.statusstream.spring;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.statusstream.core.StreamMetrics;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The observations of one stream: {@value #POLL} for each poll of its source, on the engine's poller thread, and
 * {@value #TOUCH} for each {@code touch}, on the caller's thread, where it is a child of the caller's current
 * observation (the request that wrote). The next poll after a touch that hinted keys is a child of that touch (of the
 * first, when touches are coalesced into one poll), so a trace shows a write's way to the stream: request, touch,
 * poll, and the source's own spans within the poll. Both have the low-cardinality key {@code stream} and the
 * high-cardinality key {@code keys}; a failed poll carries its error.
 *
 * <p>Disabled, at the cost of one branch, with a no-op registry. Thread-safe: touches come from any thread, polls
 * from the poller.
 */
final class StreamObservations {

    static final String POLL = "status.stream.poll";
    static final String TOUCH = "status.stream.touch";

    private final ObservationRegistry registry;
    private final String stream;
    private final boolean enabled;
    /** The first touch that hinted keys since the last poll started: the parent of the next poll. */
    private final AtomicReference<Observation> touchAwaitingPoll = new AtomicReference<>();

    StreamObservations(ObservationRegistry registry, String stream) {
        this.registry = registry;
        this.stream = stream;
        this.enabled = !registry.isNoop();
    }

    StreamMetrics.Span poll(int keys) {
        if (!enabled) {
            return StreamMetrics.Span.NONE;
        }
        Observation observation = observation(POLL, "status-stream poll", keys);
        Observation touch = touchAwaitingPoll.getAndSet(null);
        if (touch != null) {
            observation.parentObservation(touch);
        }
        return started(observation, null);
    }

    StreamMetrics.Span touch(int keys) {
        if (!enabled) {
            return StreamMetrics.Span.NONE;
        }
        Observation observation = observation(TOUCH, "status-stream touch", keys);
        return started(observation, keys > 0 ? touchAwaitingPoll : null);
    }

    private Observation observation(String name, String contextualName, int keys) {
        return Observation.createNotStarted(name, registry)
                .contextualName(contextualName)
                .lowCardinalityKeyValue("stream", stream)
                .highCardinalityKeyValue("keys", Integer.toString(keys));
    }

    /** Starts it in scope on this thread; its end closes the scope and stops it, then offers it as a poll's parent. */
    private static StreamMetrics.Span started(Observation observation, AtomicReference<Observation> parentOfNextPoll) {
        observation.start();
        Observation.Scope scope = observation.openScope();
        return failure -> {
            scope.close();
            if (failure != null) {
                observation.error(failure);
            }
            observation.stop();
            if (parentOfNextPoll != null) {
                parentOfNextPoll.compareAndSet(null, observation);
            }
        };
    }
}
