package io.statusstream.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds this member's {@link Lease} in one reference. Heartbeats renew it; a failure or a fenced write that found
 * another leader drops it. {@link #token} is lock-free and does no I/O, for the engine's poller.
 *
 * <p>A renewal counts only if its heartbeat began after the last drop: a heartbeat in flight when a fenced write found
 * another leader cannot bring the lost token back. Times are passed in ({@link System#nanoTime()} in production), so
 * tests drive them. Thread-safe; never blocks.
 */
final class LeaseKeeper {

    private final long validNanos;
    private final AtomicReference<Lease> lease;

    /**
     * @param leaseTime how long Redis keeps the lease unrenewed; this member stops using it after nine tenths of that,
     *                  counted from when the renewing heartbeat began, so clock drift and a slow reply are covered
     */
    LeaseKeeper(Duration leaseTime, long now) {
        this.validNanos = leaseTime.toNanos() * 9 / 10;
        this.lease = new AtomicReference<>(Lease.none(now));
    }

    /** The token of the lease this member holds at {@code now}, or {@code 0}. */
    long token(long now) {
        return lease.get().tokenAt(now);
    }

    /**
     * A heartbeat begun at {@code startedAt} found this member holding {@code token} ({@code 0}: not holding it).
     *
     * @return whether the member has just taken the lease: it held no token, or another, before
     */
    boolean renewed(long token, long startedAt) {
        Lease next = token == 0 ? new Lease(0, startedAt, startedAt) : new Lease(token, startedAt + validNanos, startedAt);
        while (true) {
            Lease current = lease.get();
            if (!current.olderThan(startedAt)) {
                return false;
            }
            if (lease.compareAndSet(current, next)) {
                return token != 0 && current.token() != token;
            }
        }
    }

    /** Forgets the lease, whichever token it holds: Redis is unreachable, or this member is leaving. */
    void drop(long now) {
        lease.set(Lease.none(now));
    }

    /** Forgets the lease if it still holds {@code token}: a fenced write found another leader. */
    void drop(long token, long now) {
        lease.updateAndGet(current -> current.token() == token ? Lease.none(now) : current);
    }
}
