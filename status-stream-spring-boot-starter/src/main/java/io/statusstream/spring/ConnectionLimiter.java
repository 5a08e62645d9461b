package io.statusstream.spring;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open streams of the whole application and of each principal, and refuses those over the limits.
 *
 * <p>Thread-safe: one atomic counter, and per-principal counts updated atomically in a concurrent map, whose entry
 * is removed when it drops to zero so that the map holds only principals with open streams. Every granted
 * {@link Permit} must be released exactly once; releasing twice is harmless.
 */
final class ConnectionLimiter {

    /** Why a connection was refused. */
    enum Refusal {
        NONE, GLOBAL_LIMIT, PRINCIPAL_LIMIT
    }

    private final int maxConnections;
    private final int maxPerPrincipal;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentMap<String, Integer> openByPrincipal = new ConcurrentHashMap<>();

    ConnectionLimiter(int maxConnections, int maxPerPrincipal) {
        this.maxConnections = maxConnections;
        this.maxPerPrincipal = maxPerPrincipal;
    }

    /**
     * @param principal the principal's name, or {@code null} for an anonymous request (global limit only)
     * @return a permit; check {@link Permit#refusal()} before using it
     */
    Permit tryAcquire(String principal) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return new Permit(null, Refusal.GLOBAL_LIMIT);
        }
        if (principal != null) {
            boolean[] granted = new boolean[1];
            openByPrincipal.compute(principal, (name, count) -> {
                int current = count == null ? 0 : count;
                granted[0] = current < maxPerPrincipal;
                return granted[0] ? Integer.valueOf(current + 1) : count;
            });
            if (!granted[0]) {
                open.decrementAndGet();
                return new Permit(null, Refusal.PRINCIPAL_LIMIT);
            }
        }
        return new Permit(principal, Refusal.NONE);
    }

    /** Open streams of the application. */
    int openConnections() {
        return open.get();
    }

    /** A granted (or refused) place; see {@link #tryAcquire}. */
    final class Permit {

        private final String principal;
        private final Refusal refusal;
        private final AtomicBoolean released;

        private Permit(String principal, Refusal refusal) {
            this.principal = principal;
            this.refusal = refusal;
            this.released = new AtomicBoolean(refusal != Refusal.NONE);
        }

        Refusal refusal() {
            return refusal;
        }

        /** Gives the place back; idempotent, and a no-op for a refused permit. */
        void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            open.decrementAndGet();
            if (principal != null) {
                openByPrincipal.computeIfPresent(principal, (name, count) -> count <= 1 ? null : count - 1);
            }
        }
    }
}
