package io.statusstream.spring;

import io.statusstream.core.Subscription;
import io.statusstream.spring.ConnectionLimiter.Permit;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one stream request holds: its subscription and its connection permit, given back exactly once by whichever
 * comes first of the response's end (completion, timeout, error), a refusal after subscribing, and the engine
 * ending the subscriber. The engine's end counts because a response completed before its stack started it may not
 * report its end (a shutdown in that window). Thread-safe.
 */
final class StreamLease {

    private final Permit permit;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Subscription<?> subscription;
    private volatile OpenStreams.Open open;

    StreamLease(Permit permit) {
        this.permit = permit;
    }

    void attach(Subscription<?> subscription, OpenStreams.Open open) {
        this.subscription = subscription;
        this.open = open;
        if (ended.get()) {
            subscription.close();
            open.closed();
        }
    }

    /** @return {@code true} if this call ended it, {@code false} if it had ended before */
    boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        Subscription<?> current = subscription;
        if (current != null) {
            current.close();
        }
        OpenStreams.Open registered = open;
        if (registered != null) {
            registered.closed();
        }
        permit.release();
        return true;
    }
}
