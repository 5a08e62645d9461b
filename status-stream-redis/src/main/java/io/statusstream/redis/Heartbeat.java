package io.statusstream.redis;

import io.statusstream.core.StreamCluster.Member;
import io.statusstream.redis.JoinProtocol.Action;
import io.statusstream.redis.ScriptReplies.HeartbeatReply;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The heartbeat thread of one member: every third of the lease time, one script registers the member's watched keys
 * ({@link KeyRegistration}), takes or renews the lease ({@link LeaseKeeper}) and reads where the cluster is, which it
 * reports to the {@link Membership}; then it runs the I/O the join protocol asks for.
 *
 * <p>A heartbeat that throws anything, an {@link Error} included, is reported as an outage (lease dropped, keys sent
 * again next time, the member told it is lost, logged once per outage) and the next heartbeat comes on time: the
 * thread never dies of it. Runs on a daemon thread of its own; not thread-safe otherwise (one heartbeat at a time).
 *
 * @param <K> key type
 */
final class Heartbeat<K> implements Runnable {

    private static final System.Logger LOG = System.getLogger(RedisStreamCluster.class.getName());

    private final Member<K> member;
    private final KeyCodec<K> keys;
    private final KeyRegistration registration;
    private final ClusterCommands commands;
    private final LeaseKeeper lease;
    private final Membership<K> membership;
    private final String owner;
    private ScheduledExecutorService thread;

    Heartbeat(Member<K> member, KeyCodec<K> keys, KeyRegistration registration, ClusterCommands commands,
              LeaseKeeper lease, Membership<K> membership, String owner) {
        this.member = member;
        this.keys = keys;
        this.registration = registration;
        this.commands = commands;
        this.lease = lease;
        this.membership = membership;
        this.owner = owner;
    }

    /** Starts beating at once, then every {@code period}. Called once. */
    void start(String threadName, Duration period) {
        thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread daemon = new Thread(runnable, threadName);
            daemon.setDaemon(true);
            return daemon;
        });
        thread.scheduleWithFixedDelay(this, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops beating, interrupting a heartbeat in flight, and waits up to {@code patience} for it to end. */
    void stop(Duration patience) {
        if (thread == null) {
            return;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One heartbeat; never throws, so that the scheduler runs the next one. */
    @Override
    public void run() {
        try {
            beat();
        } catch (Throwable failure) {
            failed(failure);
        }
    }

    private void beat() {
        long readBefore = membership.readPosition();
        boolean stoppedAlone = !member.pollsAlone();
        KeyRegistration.Delta delta = registration.next(keys.formatAll(member.watchedKeys()));
        long started = System.nanoTime();
        HeartbeatReply reply;
        try {
            reply = commands.heartbeat(delta);
        } catch (Throwable failure) {
            registration.resendAll();
            throw failure;
        }
        registration.sent(delta, reply.registered());
        if (lease.renewed(reply.token(), started)) {
            membership.leaseTaken(reply.token());
        }
        for (Action action : membership.heartbeat(reply, readBefore, stoppedAlone, System.nanoTime())) {
            run(action);
        }
    }

    private void run(Action action) {
        if (action instanceof Action.AskForRound) {
            askForRound();
        } else if (action instanceof Action.CheckLogWentBack check) {
            membership.logChecked(check, commands.renewEpoch(check.epoch(), check.readBefore()).epoch());
        } else {
            throw new IllegalStateException("not an action of the heartbeat: " + action);
        }
    }

    /** Best effort: without it, joining waits for the next periodic round. */
    private void askForRound() {
        try {
            commands.hint(List.of(), false);
        } catch (RuntimeException failure) {
            LOG.log(Level.DEBUG, () -> owner + ": could not ask for a round, waiting for the next one: " + failure);
        }
    }

    private void failed(Throwable failure) {
        lease.drop(System.nanoTime());
        registration.resendAll();
        if (membership.isClosed()) {
            return;
        }
        LOG.log(Level.DEBUG, () -> owner + ": a heartbeat failed: " + failure);
        membership.heartbeatFailed(failure);
    }
}
