package io.statusstream.redis;

import io.statusstream.redis.ScriptReplies.HeartbeatReply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a member joins the cluster's shared log and when it loses it, as pure decisions: given the member's state and
 * what a heartbeat, a read of the log or a check found, the next state and the {@link Action actions} to take. No I/O,
 * no clock, no threads: times come in as arguments. {@link Membership} holds the current state and carries the
 * actions out.
 *
 * <p><b>States.</b> {@link Alone}: the member polls alone (at start, after a loss, or backing off after a join that
 * took too long). {@link Joining}: it was told to stop polling alone; once it has, a heartbeat registers its keys, and
 * it waits for a round of the leader that began after that registration. {@link Joined}: it fans out from the log,
 * read up to a position. Each stay in the cluster (from joining to the loss) is a <em>session</em>, numbered: what a
 * thread read in an earlier session is dropped.
 *
 * <p><b>Losses</b> (back to {@link Alone}, the member told through {@link Action.TellLost}): Redis unreachable (a
 * heartbeat failed, or {@value #MAX_FAILED_READS} reads in a row), the epoch changed, the log went back (confirmed by
 * Redis, {@link Action.CheckLogWentBack}), the member fell behind the log, the log holds another epoch's entries, no
 * round completed while joining, or the engine failed to take an event.
 *
 * <p>Immutable and thread-safe; so are its states and actions. Nothing is {@code null} unless documented.
 */
final class JoinProtocol {

    /** How long, in lease times, joining may wait for a round before polling alone again for as long. */
    static final int JOIN_ATTEMPT_LEASES = 5;
    /** Consecutive failed reads of the log after which the cluster counts as unreachable. */
    static final int MAX_FAILED_READS = 3;

    private final long joinAttemptMillis;
    private final long backOffNanos;

    JoinProtocol(Duration leaseTime) {
        this.joinAttemptMillis = leaseTime.toMillis() * JOIN_ATTEMPT_LEASES;
        this.backOffNanos = leaseTime.toNanos() * JOIN_ATTEMPT_LEASES;
    }

    /** Where a member starts: alone, ready to join at the first heartbeat that succeeds. */
    static State initial() {
        return new Alone(0, false, false, 0);
    }

    /** A member's place in the protocol. */
    sealed interface State permits Alone, Joining, Joined {

        /** The number of the last session begun, {@code 0} before the first. */
        long session();
    }

    /**
     * Polling alone.
     *
     * @param outage          whether Redis is unreachable (logged once when it becomes so, once when it is back)
     * @param backingOff      whether the last join took too long: the next begins only after {@code retryAfter}
     * @param retryAfterNanos when the back-off ends, on the local clock
     */
    record Alone(long session, boolean outage, boolean backingOff, long retryAfterNanos) implements State {
    }

    /**
     * Joining.
     *
     * @param epoch        the log's epoch as the last heartbeat found it
     * @param hintsFrom    the id of the last hint read
     * @param registeredAt Redis' time of the heartbeat that registered the keys after the member stopped polling
     *                     alone, or {@code -1} while it has not
     * @param deadline     Redis' time after which joining gives up
     * @param failedReads  reads in a row that failed
     */
    record Joining(long session, String epoch, String hintsFrom, long registeredAt, long deadline, int failedReads)
            implements State {
    }

    /**
     * Joined.
     *
     * @param logSeq      the position in the log read and delivered up to
     * @param failedReads reads in a row that failed
     */
    record Joined(long session, String epoch, String hintsFrom, long logSeq, int failedReads) implements State {
    }

    /**
     * Where the reader reads from in a session.
     *
     * @param fromSeq the log position to read after, or {@code -1}: hints only (while joining)
     */
    record Cursor(long session, String epoch, String hintsFrom, long fromSeq) {
    }

    /**
     * What one read of the log and the hints brought.
     *
     * @param from         the cursor it read from
     * @param firstSeq     the first log entry's sequence number, {@code 0} if none
     * @param lastSeq      the last log entry's sequence number, {@code 0} if none
     * @param foreignEpoch an epoch other than the cursor's that an entry carried, or {@code null}
     * @param lastHint     the id of the last hint read, or the cursor's if none
     * @param hasEvents    whether it brought events of keys this member can parse
     * @param hasHints     whether it brought hints
     */
    record LogRead(Cursor from, long firstSeq, long lastSeq, String foreignEpoch, String lastHint, boolean hasEvents,
                   boolean hasHints) {
    }

    /** What to do. The I/O ones are run by the thread that made the step, after it; the rest by {@link Membership}. */
    sealed interface Action {

        /** Tell the member to stop polling alone. */
        record TellJoining(long session) implements Action {
        }

        /** Ask the leader for a round now (I/O), so joining takes one round trip rather than up to an interval. */
        record AskForRound() implements Action {
        }

        /** Tell the member it joined the log of this epoch at this position. */
        record TellJoined(long session, String epoch, long logSeq) implements Action {
        }

        /** Tell the member the shared log is lost. */
        record TellLost(Throwable cause) implements Action {
        }

        /** Hand the read's events to the member. */
        record Deliver(long session, String epoch) implements Action {
        }

        /** Hand the read's hints to the member, if it leads. */
        record PassHints() implements Action {
        }

        /** Ask Redis whether the log is really behind {@code readBefore} and if so start a new epoch (I/O). */
        record CheckLogWentBack(long session, String epoch, long readBefore, long seq) implements Action {
        }

        /** Redis became unreachable: forget the lease, send every key again, log once. */
        record OutageBegan(Throwable cause) implements Action {
        }

        /** Redis is reachable again: log once. */
        record OutageEnded() implements Action {
        }
    }

    /** A decision: the state to be in and what to do, in order. */
    record Step(State next, List<Action> actions) {

        Step {
            actions = List.copyOf(actions);
        }

        static Step stay(State state) {
            return new Step(state, List.of());
        }
    }

    /** Where the reader reads from, or {@code null} while alone (nothing to read). */
    static Cursor cursor(State state) {
        if (state instanceof Joining joining) {
            return new Cursor(joining.session(), joining.epoch(), joining.hintsFrom(), -1);
        }
        if (state instanceof Joined joined) {
            return new Cursor(joined.session(), joined.epoch(), joined.hintsFrom(), joined.logSeq());
        }
        return null;
    }

    /**
     * The log position a heartbeat about to start should compare the log with: only what was read can show that the
     * log went back, so {@code -1} unless joined.
     */
    static long readPosition(State state) {
        return state instanceof Joined joined ? joined.logSeq() : -1;
    }

    /**
     * A heartbeat succeeded.
     *
     * @param readBefore   {@link #readPosition} before the heartbeat began
     * @param stoppedAlone whether the member had stopped polling alone before the heartbeat began (so it registered
     *                     every key the member polls for)
     * @param nowNanos     the local clock
     */
    Step heartbeat(State state, HeartbeatReply reply, long readBefore, boolean stoppedAlone, long nowNanos) {
        if (state instanceof Alone alone) {
            return heartbeatAlone(alone, reply, nowNanos);
        }
        if (state instanceof Joining joining) {
            return heartbeatJoining(joining, reply, stoppedAlone, nowNanos);
        }
        return heartbeatJoined((Joined) state, reply, readBefore);
    }

    private Step heartbeatAlone(Alone alone, HeartbeatReply reply, long nowNanos) {
        List<Action> actions = new ArrayList<>(2);
        if (alone.outage()) {
            actions.add(new Action.OutageEnded());
        }
        if (alone.backingOff() && nowNanos - alone.retryAfterNanos() < 0) {
            return new Step(new Alone(alone.session(), false, true, alone.retryAfterNanos()), actions);
        }
        long session = alone.session() + 1;
        actions.add(new Action.TellJoining(session));
        return new Step(new Joining(session, reply.epoch(), reply.lastHintId(), -1, reply.now() + joinAttemptMillis,
                0), actions);
    }

    private Step heartbeatJoining(Joining joining, HeartbeatReply reply, boolean stoppedAlone, long nowNanos) {
        Joining current = joining;
        if (!reply.epoch().equals(current.epoch())) {
            current = new Joining(current.session(), reply.epoch(), current.hintsFrom(), -1, current.deadline(),
                    current.failedReads());
        }
        List<Action> actions = new ArrayList<>(1);
        if (current.registeredAt() < 0) {
            if (stoppedAlone) {
                current = new Joining(current.session(), current.epoch(), current.hintsFrom(), reply.now(),
                        current.deadline(), current.failedReads());
                actions.add(new Action.AskForRound());
            }
        } else if (reply.roundStartedAt() > current.registeredAt()) {
            return new Step(new Joined(current.session(), current.epoch(), current.hintsFrom(), reply.logSeq(),
                    current.failedReads()), List.of(new Action.TellJoined(current.session(), current.epoch(),
                    reply.logSeq())));
        }
        if (reply.now() > current.deadline()) {
            return new Step(new Alone(current.session(), false, true, nowNanos + backOffNanos),
                    List.of(new Action.TellLost(new IllegalStateException("no poll round of the cluster completed"
                            + " within " + Duration.ofMillis(joinAttemptMillis) + " (is the poller's source down?)"))));
        }
        return new Step(current, actions);
    }

    private Step heartbeatJoined(Joined joined, HeartbeatReply reply, long readBefore) {
        if (!reply.epoch().equals(joined.epoch())) {
            return lose(joined, new IllegalStateException("the cluster's epoch changed from " + joined.epoch()
                    + " to " + reply.epoch() + ": Redis lost the shared log"));
        }
        if (reply.logSeq() < readBefore) {
            // Restored from an older snapshot: its sequence numbers would be issued again for new states. The reply
            // may be stale (read before a slow append landed): Redis checks again, atomically.
            return new Step(joined, List.of(new Action.CheckLogWentBack(joined.session(), joined.epoch(), readBefore,
                    reply.logSeq())));
        }
        return Step.stay(joined);
    }

    /** A heartbeat failed: Redis is unreachable (or the heartbeat broke). */
    Step heartbeatFailed(State state, Throwable cause) {
        return outage(state, cause);
    }

    /**
     * Redis answered a {@link Action.CheckLogWentBack}.
     *
     * @param currentEpoch the epoch after the check: a new one if the log really went back
     */
    Step logChecked(State state, Action.CheckLogWentBack check, String currentEpoch) {
        if (state instanceof Joined joined && joined.session() == check.session()
                && !currentEpoch.equals(check.epoch())) {
            return lose(joined, new IllegalStateException("the shared log went back from " + check.readBefore()
                    + " to " + check.seq() + " (Redis restored from an older snapshot?): a new epoch begins"));
        }
        return Step.stay(state);
    }

    /** A read of the log and the hints returned. */
    Step read(State state, LogRead read) {
        if (!current(state, read.from())) {
            return Step.stay(state);
        }
        if (state instanceof Joined joined && read.lastSeq() > 0 && joined.logSeq() == read.from().fromSeq()) {
            return readJoined(joined, read);
        }
        State next = state instanceof Joined joined
                ? new Joined(joined.session(), joined.epoch(), read.lastHint(), joined.logSeq(), 0)
                : withReads((Joining) state, read.lastHint(), 0);
        return new Step(next, read.hasHints() ? List.of(new Action.PassHints()) : List.of());
    }

    private Step readJoined(Joined joined, LogRead read) {
        long from = read.from().fromSeq();
        if (read.foreignEpoch() != null) {
            return lose(joined, new IllegalStateException("the shared log holds events of epoch "
                    + read.foreignEpoch() + ", not " + joined.epoch() + ": Redis lost or replaced the shared log"));
        }
        if (read.firstSeq() != from + 1 && from > 0) {
            return lose(joined, new IllegalStateException("this instance fell behind the shared log (at " + from
                    + ", oldest retained " + read.firstSeq() + "); raise the log length"));
        }
        List<Action> actions = new ArrayList<>(2);
        if (read.hasEvents()) {
            actions.add(new Action.Deliver(joined.session(), joined.epoch()));
        }
        if (read.hasHints()) {
            actions.add(new Action.PassHints());
        }
        return new Step(new Joined(joined.session(), joined.epoch(), read.lastHint(), read.lastSeq(), 0), actions);
    }

    /** A read of the log failed. One slow read (a starved CPU) is not an outage; reads that keep failing are. */
    Step readFailed(State state, Cursor from, Throwable cause) {
        if (!current(state, from)) {
            return Step.stay(state);
        }
        int failed = (state instanceof Joined joined ? joined.failedReads() : ((Joining) state).failedReads()) + 1;
        if (failed >= MAX_FAILED_READS) {
            return outage(state, cause);
        }
        State next = state instanceof Joined joined
                ? new Joined(joined.session(), joined.epoch(), joined.hintsFrom(), joined.logSeq(), failed)
                : withReads((Joining) state, ((Joining) state).hintsFrom(), failed);
        return Step.stay(next);
    }

    /** The engine failed to take an event of this session (it threw): it may have missed it, so the session ends. */
    Step memberFailed(State state, long session, Throwable cause) {
        if (state instanceof Alone || state.session() != session) {
            return Step.stay(state);
        }
        return lose(state, new IllegalStateException("the engine failed to take an event of the cluster: " + cause,
                cause));
    }

    private static boolean current(State state, Cursor from) {
        return !(state instanceof Alone) && state.session() == from.session();
    }

    private static Joining withReads(Joining joining, String hintsFrom, int failedReads) {
        return new Joining(joining.session(), joining.epoch(), hintsFrom, joining.registeredAt(), joining.deadline(),
                failedReads);
    }

    private static Step lose(State state, Throwable cause) {
        return new Step(new Alone(state.session(), false, false, 0), List.of(new Action.TellLost(cause)));
    }

    private static Step outage(State state, Throwable cause) {
        boolean wasOutage = state instanceof Alone alone && alone.outage();
        Alone next = state instanceof Alone alone
                ? new Alone(alone.session(), true, alone.backingOff(), alone.retryAfterNanos())
                : new Alone(state.session(), true, false, 0);
        List<Action> actions = new ArrayList<>(2);
        if (!wasOutage) {
            actions.add(new Action.OutageBegan(cause));
        }
        actions.add(new Action.TellLost(cause));
        return new Step(next, actions);
    }
}
