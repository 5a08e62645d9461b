package io.statusstream.redis;

import io.statusstream.core.SharedEvent;
import io.statusstream.core.StreamCluster.Member;
import io.statusstream.redis.JoinProtocol.Action;
import io.statusstream.redis.JoinProtocol.Cursor;
import io.statusstream.redis.JoinProtocol.State;
import io.statusstream.redis.JoinProtocol.Step;
import io.statusstream.redis.ScriptReplies.HeartbeatReply;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * This member's place in the {@link JoinProtocol}: holds the current state, applies what the heartbeat and the reader
 * report, and carries out the resulting actions, except the I/O ones, which it hands back to the reporting thread.
 *
 * <p><b>Threads and locks.</b> The state is guarded by one lock, held only to decide a step (pure computation) and to
 * queue the member calls it brings; no I/O and no call to the member ever happens under it, and the engine's threads
 * never take it. Member calls are made after it is released, in the order decided ({@link MemberCalls}). The reader
 * waits on it, while alone, for a session to begin. Thread-safe.
 *
 * @param <K> key type
 */
final class Membership<K> {

    private static final System.Logger LOG = System.getLogger(RedisStreamCluster.class.getName());

    private final JoinProtocol protocol;
    private final LeaseKeeper lease;
    private final KeyRegistration registration;
    private final String owner;
    private final Duration retryEvery;
    private final LongSupplier nanoTime;
    private final MemberCalls<K> calls;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition sessionBegan = lock.newCondition();

    /** Guarded by {@code lock}. */
    private State state = JoinProtocol.initial();
    /** Written under {@code lock}. */
    private volatile boolean closed;

    /**
     * @param owner      the cluster, for the log
     * @param retryEvery how often heartbeats retry, for the log
     * @param nanoTime   the local clock ({@link System#nanoTime} but in tests), read for the lease
     */
    Membership(JoinProtocol protocol, Member<K> member, LeaseKeeper lease, KeyRegistration registration, String owner,
               Duration retryEvery, LongSupplier nanoTime) {
        this.protocol = protocol;
        this.lease = lease;
        this.registration = registration;
        this.owner = owner;
        this.retryEvery = retryEvery;
        this.nanoTime = nanoTime;
        this.calls = new MemberCalls<>(member, owner, this::memberFailed);
    }

    /** The log position a heartbeat about to begin compares the log with ({@link JoinProtocol#readPosition}). */
    long readPosition() {
        lock.lock();
        try {
            return JoinProtocol.readPosition(state);
        } finally {
            lock.unlock();
        }
    }

    /** The state now, for tests and {@code toString}. */
    State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where to read from, waiting while alone for up to {@code timeout}.
     *
     * @return the cursor, or {@code null} if still alone after the timeout, or closed
     */
    Cursor awaitCursor(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            Cursor cursor = JoinProtocol.cursor(state);
            while (!closed && cursor == null && nanos > 0) {
                nanos = sessionBegan.awaitNanos(nanos);
                cursor = JoinProtocol.cursor(state);
            }
            return closed ? null : cursor;
        } finally {
            lock.unlock();
        }
    }

    /** A heartbeat succeeded; returns the I/O actions for the heartbeat thread to run. */
    List<Action> heartbeat(HeartbeatReply reply, long readBefore, boolean stoppedAlone, long nowNanos) {
        return apply(state -> protocol.heartbeat(state, reply, readBefore, stoppedAlone, nowNanos), List.of(),
                List.of());
    }

    void heartbeatFailed(Throwable cause) {
        apply(state -> protocol.heartbeatFailed(state, cause), List.of(), List.of());
    }

    void logChecked(Action.CheckLogWentBack check, String currentEpoch) {
        apply(state -> protocol.logChecked(state, check, currentEpoch), List.of(), List.of());
    }

    /** A read returned these events and hints (keys this member cannot parse left out). */
    void read(JoinProtocol.LogRead read, List<SharedEvent<K>> events, List<List<K>> hints) {
        apply(state -> protocol.read(state, read), events, hints);
    }

    void readFailed(Cursor from, Throwable cause) {
        apply(state -> protocol.readFailed(state, from, cause), List.of(), List.of());
    }

    /** The heartbeat has just taken the lease: the member's first round as leader polls every key. */
    void leaseTaken(long token) {
        LOG.log(Level.DEBUG, () -> owner + ": took the lease, token " + token);
        calls.add(new MemberCalls.Call<>("hinted", -1, member -> member.hinted(List.of())));
        calls.drain();
    }

    /** No more steps, no more calls to the member; wakes the reader. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            sessionBegan.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    private void memberFailed(MemberCalls.Call<K> call, Throwable cause) {
        if (call.session() >= 0) {
            apply(state -> protocol.memberFailed(state, call.session(), cause), List.of(), List.of());
        }
    }

    private List<Action> apply(Function<State, Step> decision, List<SharedEvent<K>> events, List<List<K>> hints) {
        List<Action> after = new ArrayList<>(2);
        lock.lock();
        try {
            if (closed) {
                return List.of();
            }
            Step step = decision.apply(state);
            boolean wasAlone = JoinProtocol.cursor(state) == null;
            state = step.next();
            for (Action action : step.actions()) {
                if (!queueCall(action, events, hints)) {
                    after.add(action);
                }
            }
            if (wasAlone && JoinProtocol.cursor(state) != null) {
                sessionBegan.signalAll();
            }
        } finally {
            lock.unlock();
        }
        calls.drain();
        return runLocal(after);
    }

    /** Queues the member call an action makes, if it makes one; under {@code lock}, so in decision order. */
    private boolean queueCall(Action action, List<SharedEvent<K>> events, List<List<K>> hints) {
        if (action instanceof Action.TellJoining joining) {
            calls.add(new MemberCalls.Call<>("joining", joining.session(), Member::joining));
        } else if (action instanceof Action.TellJoined joined) {
            calls.add(new MemberCalls.Call<>("joined", joined.session(), member -> {
                LOG.log(Level.DEBUG, () -> owner + ": joined at log seq " + joined.logSeq());
                member.joined(joined.epoch(), joined.logSeq());
            }));
        } else if (action instanceof Action.TellLost lost) {
            registration.resendAll();
            calls.add(new MemberCalls.Call<>("lost", -1, member -> member.lost(lost.cause())));
        } else if (action instanceof Action.Deliver deliver) {
            List<SharedEvent<K>> batch = List.copyOf(events);
            calls.add(new MemberCalls.Call<>("received", deliver.session(),
                    member -> member.received(deliver.epoch(), batch)));
        } else if (action instanceof Action.PassHints) {
            List<List<K>> batch = List.copyOf(hints);
            calls.add(new MemberCalls.Call<>("hinted", -1, member -> passHints(member, batch)));
        } else {
            return false;
        }
        return true;
    }

    /** Only the leader acts on hints; a hint lost in a leader change is made up by the next round. */
    private void passHints(Member<K> member, List<List<K>> hints) {
        if (lease.token(nanoTime.getAsLong()) == 0) {
            return;
        }
        for (Collection<K> keys : hints) {
            member.hinted(List.copyOf(keys));
        }
    }

    /** Runs the actions that are neither member calls nor I/O; returns the I/O ones. */
    private List<Action> runLocal(List<Action> actions) {
        List<Action> io = new ArrayList<>(actions.size());
        for (Action action : actions) {
            if (action instanceof Action.OutageBegan outage) {
                lease.drop(nanoTime.getAsLong());
                logOutage(outage.cause());
            } else if (action instanceof Action.OutageEnded) {
                LOG.log(Level.INFO, () -> owner + ": Redis is reachable again, joining the cluster");
            } else {
                io.add(action);
            }
        }
        return io;
    }

    private void logOutage(Throwable cause) {
        if (cause instanceof RuntimeException) {
            LOG.log(Level.WARNING, () -> owner + ": Redis is unreachable (" + cause + "); retrying every "
                    + retryEvery);
        } else {
            LOG.log(Level.ERROR, owner + ": unexpected failure of a heartbeat or a read (" + cause + "); polling"
                    + " alone as in an outage of Redis, retrying every " + retryEvery, cause);
        }
    }

    @Override
    public String toString() {
        return owner + " " + state();
    }
}
