package io.statusstream.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The peers of an engine that runs in several processes (the instances of one application behind a load balancer)
 * and the shared change log between them. With a cluster, the instances elect one leader that polls the union of
 * every instance's watched keys and appends what changed to the log; every instance fans out from the log to its own
 * subscribers, so event ids mean the same on every instance and database load does not grow with instances.
 * Without one ({@link StatusStreamBuilder#cluster} unset), the engine polls alone: local mode, the default.
 *
 * <p><b>SPI.</b> The engine calls these methods; {@code status-stream-redis} implements them on Redis. The engine
 * owns every decision about state (polling, change detection, sequence numbers, fan-out); the cluster only moves
 * data and keeps time:
 * <ul>
 *   <li><b>Membership.</b> The cluster asks {@link Member#watchedKeys()} regularly and registers the keys with an
 *       expiry, so the keys of an instance that died fade.</li>
 *   <li><b>Leadership.</b> At most one member holds the lease; {@link #leaderToken()} is its fencing token, strictly
 *       greater than every earlier holder's. {@link #append} and {@link #completeRound} refuse a stale token
 *       atomically with their write ({@link LeadershipLostException}).</li>
 *   <li><b>Log.</b> Every member receives every appended event through {@link Member#received}, in sequence order,
 *       each batch at most once.</li>
 *   <li><b>Joining.</b> After it (re)connects, the cluster calls {@link Member#joining()}; once
 *       {@link Member#pollsAlone()} is {@code false} it registers the member's keys and waits for a round of the
 *       leader that started after the registration, then
 *       calls {@link Member#joined(String, long)}: the shared states now cover the member's keys and are at least as new
 *       as anything the member polled alone. Should the shared log become unreachable, or its epoch change, the
 *       cluster calls {@link Member#lost(Throwable)} and retries connecting in the background.</li>
 * </ul>
 *
 * <p>Implementations must be thread-safe. Methods other than {@link #start} and {@link #close} may block on I/O and
 * throw any {@link RuntimeException} when the shared store is unreachable; the engine then goes on in local mode.
 *
 * @param <K> key type
 */
public interface StreamCluster<K> {

    /**
     * Connects this member; called once, before anything else, by the engine's start.
     *
     * @param member the engine, as the cluster sees it; never {@code null}
     */
    void start(Member<K> member);

    /**
     * The fencing token of the lease this member holds now, or {@code 0}. No I/O.
     *
     * @return the token, {@code > 0}, while this member holds an unexpired lease; else {@code 0}
     */
    long leaderToken();

    /**
     * Starts a leader's poll round: the keys every live member watches, with the log's newest sequence number.
     *
     * @param token the caller's fencing token, from {@link #leaderToken()}
     * @return the round, never {@code null}
     * @throws LeadershipLostException if {@code token} is no longer the lease's
     */
    Round<K> beginRound(long token);

    /**
     * The newest shared events of each key, oldest first, at most {@code perKey} of each; the last one holds the
     * key's current state. Keys the log has no state of are left out.
     *
     * @param keys   the keys to read, never {@code null}
     * @param perKey most events per key, {@code > 0}
     * @return the events by key, never {@code null}; each list is non-empty
     */
    Map<K, List<SharedEvent<K>>> history(Collection<? extends K> keys, int perKey);

    /**
     * Appends events, in order, to the log and to their keys' histories. Their sequence numbers continue the log's
     * without gap.
     *
     * @param token  the caller's fencing token, from {@link #leaderToken()}
     * @param events the events, in sequence order, never empty
     * @throws LeadershipLostException if {@code token} is no longer the lease's; nothing was appended
     */
    void append(long token, List<SharedEvent<K>> events);

    /**
     * Marks a round complete: every key of it was polled, changes appended. Members waiting to join whose keys were
     * registered before the round began may now join.
     *
     * @param token the caller's fencing token, from {@link #leaderToken()}
     * @param round the round, as {@link #beginRound} returned it
     * @throws LeadershipLostException if {@code token} is no longer the lease's
     */
    void completeRound(long token, Round<K> round);

    /**
     * Drops the histories of keys no member watches any more.
     *
     * @param token the caller's fencing token, from {@link #leaderToken()}
     * @param keys  the keys to drop, never empty
     */
    void forget(long token, Collection<? extends K> keys);

    /**
     * Asks the leader, wherever it runs, to poll these keys now ({@link Member#hinted}); an empty collection asks
     * for a full round. Best effort: a hint lost in a leader change is made up by the next round. Registers nothing:
     * the leader polls only keys some member watches.
     *
     * @param keys the keys to poll, or empty for all; never {@code null}
     */
    void hint(Collection<? extends K> keys);

    /**
     * Registers keys this member has just started to watch and that the log has no state of, and asks the leader to
     * load them now; best effort, like {@link #hint}.
     *
     * @param keys the keys to register and load, never empty
     */
    void load(Collection<? extends K> keys);

    /**
     * The given keys that some live member watches. No side effect.
     *
     * @param token the caller's fencing token, from {@link #leaderToken()}
     * @param keys  the keys to look up, never empty
     * @return those of {@code keys} that some live member watches, possibly none; never {@code null}
     * @throws LeadershipLostException if {@code token} is no longer the lease's
     */
    Set<K> watchedAmong(long token, Collection<? extends K> keys);

    /** Leaves the cluster: releases the lease if held, stops threads. Idempotent. */
    void close();

    /** What the engine offers its cluster. Methods may be called from any thread and return quickly. */
    interface Member<K> {

        /**
         * The stream's name: the cluster's namespace.
         *
         * @return the name, never {@code null} or blank
         */
        String name();

        /**
         * Every key this member watches now, retained idle keys included.
         *
         * @return an unmodifiable snapshot, never {@code null}
         */
        Set<K> watchedKeys();

        /**
         * On the leader: poll these keys now; all keys when empty (also sent when the lease was just taken).
         *
         * @param keys the keys to poll, or empty for all; never {@code null}
         */
        void hinted(Collection<K> keys);

        /** The cluster connected again: stop polling alone, the shared log takes over after {@link #joined}. */
        void joining();

        /**
         * Whether the engine may still poll alone: {@code false} only while {@link #joining()} is in effect (not
         * before it took effect, not after {@link #lost} or {@link #joined}).
         *
         * @return {@code false} while joining, else {@code true}
         */
        boolean pollsAlone();

        /**
         * The member's keys are covered by the shared log of this epoch: fan out from it from now on.
         *
         * @param epoch  the log's epoch, never {@code null}
         * @param logSeq the log's newest sequence number when the member joined; events after it follow through
         *               {@link #received}
         */
        void joined(String epoch, long logSeq);

        /**
         * Events appended to the log of this epoch, in sequence order.
         *
         * @param epoch  the epoch of the log they were read from
         * @param events the new events, in sequence order, never {@code null}
         */
        void received(String epoch, List<SharedEvent<K>> events);

        /**
         * The shared log is unreachable or its epoch changed: poll alone until {@link #joined} again.
         *
         * @param cause what went wrong; reported as {@link StreamStats#clusterFailure()}
         */
        void lost(Throwable cause);
    }

    /**
     * One poll round of the leader.
     *
     * @param keys      every key a live member watches
     * @param epoch     the log's epoch: event ids are {@code <epoch>-<seq>}
     * @param lastSeq   the log's newest sequence number when the round began
     * @param startedAt when the round began, on the cluster's own clock (opaque to the engine)
     * @param <K>       key type
     */
    record Round<K>(Set<K> keys, String epoch, long lastSeq, long startedAt) {
    }

    /** Thrown when a fenced write finds that another member holds the lease. */
    final class LeadershipLostException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message the detail message: which write was refused
         */
        public LeadershipLostException(String message) {
            super(message);
        }
    }
}
