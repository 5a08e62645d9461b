package io.statusstream.redis;

/**
 * The lease as this member last knew it, one immutable value so that a reader never sees a token with another
 * lease's deadline. Times are {@link System#nanoTime()} readings, compared by subtraction.
 *
 * @param token         the fencing token held, or {@code 0}
 * @param validUntil    until when the token may be used: a little before Redis lets the lease expire
 * @param knownSince    when the heartbeat that told this began (or when the lease was dropped): a heartbeat that
 *                      began earlier cannot replace it
 */
record Lease(long token, long validUntil, long knownSince) {

    /** No lease, known since {@code now}. */
    static Lease none(long now) {
        return new Lease(0, now, now);
    }

    /** The token, if still valid at {@code now}; else {@code 0}. */
    long tokenAt(long now) {
        return token != 0 && now - validUntil < 0 ? token : 0;
    }

    /** Whether what a heartbeat begun at {@code startedAt} says is newer than this. */
    boolean olderThan(long startedAt) {
        return startedAt - knownSince >= 0;
    }
}
