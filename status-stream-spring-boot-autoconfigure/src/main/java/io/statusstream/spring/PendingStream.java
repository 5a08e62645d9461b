package io.statusstream.spring;

import java.util.concurrent.CompletableFuture;

/**
 * A request's answer to come, and how its endpoint says that nobody waits for it any more (the client left, the
 * request timed out): then the stream, if any, ends and its place is given back. Thread-safe.
 */
final class PendingStream {

    final CompletableFuture<Object> answer = new CompletableFuture<>();
    private volatile StreamLease lease;
    private volatile boolean abandoned;

    /** Nobody waits for the answer, or for the stream it was: end it. Idempotent. */
    void abandon() {
        abandoned = true;
        StreamLease current = lease;
        if (current != null) {
            current.end();
        }
    }

    /** Whether the endpoint gave up on the answer. */
    boolean abandoned() {
        return abandoned;
    }

    /** Holds the stream's lease, ending it at once if the answer was abandoned before. */
    void hold(StreamLease lease) {
        this.lease = lease;
        if (abandoned) {
            lease.end();
        }
    }
}
