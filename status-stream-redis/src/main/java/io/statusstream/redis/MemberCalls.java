package io.statusstream.redis;

import io.statusstream.core.StreamCluster.Member;

import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The calls of the cluster to its {@link Member}, made in the order they were {@linkplain #add added} and never under
 * a lock: the heartbeat and the reader decide under {@link Membership}'s lock (so the order of calls is the order of
 * decisions: {@code joined} before the {@code received} that follows it, nothing after {@code lost} of the same
 * session) and call after releasing it, through {@link #drain}.
 *
 * <p>Whichever thread drains runs every queued call, its own and others'; a thread that finds another draining
 * leaves its calls to it and returns at once. A call that throws, even an {@link Error}, is logged (the first of a
 * series with its stack trace, the rest at debug until a call succeeds) and reported to the failure handler; the
 * calls after it are still made. Thread-safe; never blocks.
 *
 * @param <K> key type
 */
final class MemberCalls<K> {

    private static final System.Logger LOG = System.getLogger(RedisStreamCluster.class.getName());

    /**
     * One call.
     *
     * @param what    what it tells the member, for the log
     * @param session the session of the {@link JoinProtocol} it belongs to, or {@code -1}: one whose failure costs
     *                only itself (lost, hints)
     * @param body    the call
     */
    record Call<K>(String what, long session, Consumer<Member<K>> body) {
    }

    private final Member<K> member;
    private final String owner;
    private final BiConsumer<Call<K>, Throwable> failureHandler;
    private final Queue<Call<K>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Confined to the draining thread. */
    private boolean failing;

    /**
     * @param owner          the cluster, for the log
     * @param failureHandler told of every call that threw, on the draining thread, outside any lock
     */
    MemberCalls(Member<K> member, String owner, BiConsumer<Call<K>, Throwable> failureHandler) {
        this.member = member;
        this.owner = owner;
        this.failureHandler = failureHandler;
    }

    /** Queues a call; made by the next {@link #drain}. */
    void add(Call<K> call) {
        queue.add(call);
    }

    /** Makes the queued calls, unless another thread is making them (it then makes these too). */
    void drain() {
        while (!queue.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                for (Call<K> call = queue.poll(); call != null; call = queue.poll()) {
                    make(call);
                }
            } finally {
                draining.set(false);
            }
        }
    }

    private void make(Call<K> call) {
        try {
            call.body().accept(member);
            failing = false;
        } catch (Throwable failure) {
            if (failing) {
                LOG.log(Level.DEBUG, () -> owner + ": the engine failed again to take '" + call.what() + "': " + failure);
            } else {
                failing = true;
                LOG.log(Level.ERROR, owner + ": the engine failed to take '" + call.what() + "'", failure);
            }
            failureHandler.accept(call, failure);
        }
    }
}
