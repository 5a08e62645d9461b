package io.statusstream.redis;

import io.statusstream.core.SharedEvent;
import io.statusstream.core.StateEvent;
import io.statusstream.redis.JoinProtocol.Action;
import io.statusstream.redis.JoinProtocol.Cursor;
import io.statusstream.redis.JoinProtocol.LogRead;
import io.statusstream.redis.ScriptReplies.HeartbeatReply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The membership without Redis: replies handed in as the heartbeat and the reader would, time on a settable clock. */
class MembershipTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(SECOND);
    private final RecordingMember member = new RecordingMember("test");
    private final LeaseKeeper lease = new LeaseKeeper(Duration.ofSeconds(1), clock.get());
    private final KeyRegistration registration = new KeyRegistration();
    private final Membership<Long> membership = new Membership<>(new JoinProtocol(Duration.ofSeconds(1)), member,
            lease, registration, "cluster", Duration.ofMillis(333), clock::get);

    private static HeartbeatReply reply(long now, long logSeq, long roundStartedAt) {
        return new HeartbeatReply("e1", 0, now, logSeq, roundStartedAt, true, "0-0");
    }

    private static SharedEvent<Long> event(long key, long seq) {
        return new SharedEvent<>(key, seq, StateEvent.Kind.CHANGE, true, "{}", "{}");
    }

    /** Joins at log seq 10, as the heartbeats of a member whose engine stops polling alone at once would. */
    private void join() {
        membership.heartbeat(reply(1_000, 10, -1), -1, !member.pollsAlone(), clock.get());
        membership.heartbeat(reply(1_300, 10, -1), -1, !member.pollsAlone(), clock.get());
        membership.heartbeat(reply(1_600, 10, 1_301), -1, !member.pollsAlone(), clock.get());
    }

    private void readEvents(long firstSeq, long lastSeq) {
        Cursor cursor = JoinProtocol.cursor(membership.state());
        membership.read(new LogRead(cursor, firstSeq, lastSeq, null, "0-0", true, false),
                List.of(event(7, firstSeq)), List.of());
    }

    @Test
    void tellsTheMemberOfEveryDecisionInTheOrderMade() {
        join();
        readEvents(11, 11);

        assertThat(member.names()).containsExactly("joining", "joined", "received");
        assertThat(member.calls().get(1).argument()).isEqualTo("e1@10");
        assertThat(member.received()).containsExactly(event(7, 11));
    }

    @Test
    void handsTheIoActionsBackToTheThreadThatReported() {
        membership.heartbeat(reply(1_000, 10, -1), -1, false, clock.get());

        List<Action> actions = membership.heartbeat(reply(1_300, 10, -1), -1, true, clock.get());

        assertThat(actions).containsExactly(new Action.AskForRound());
    }

    @Test
    void theReaderFindsNothingToReadWhileAloneAndItsCursorOnceJoining() throws InterruptedException {
        assertThat(membership.awaitCursor(Duration.ZERO)).isNull();

        membership.heartbeat(reply(1_000, 10, -1), -1, false, clock.get());

        assertThat(membership.awaitCursor(Duration.ZERO)).isEqualTo(new Cursor(1, "e1", "0-0", -1));
    }

    @Test
    void passesHintsOnlyWhileThisMemberHoldsTheLease() {
        join();
        Cursor cursor = JoinProtocol.cursor(membership.state());
        LogRead hints = new LogRead(cursor, 0, 0, null, "5-0", false, true);

        membership.read(hints, List.of(), List.of(List.of(3L)));
        lease.renewed(4, clock.get());
        membership.read(new LogRead(JoinProtocol.cursor(membership.state()), 0, 0, null, "6-0", false, true),
                List.of(), List.of(List.of(5L)));

        assertThat(member.calls()).filteredOn(call -> call.name().equals("hinted"))
                .extracting(RecordingMember.Call::argument).containsExactly(List.of(5L));
    }

    @Test
    void aMemberThatThrowsAnErrorWhenJoinedIsToldItIsLostAndJoinsAgainAtTheNextHeartbeat() {
        member.failOnce("joined", new AssertionError("engine broke"));

        join();
        membership.heartbeat(reply(1_900, 10, 1_301), -1, false, clock.get());

        assertThat(member.names()).containsExactly("joining", "joined", "lost", "joining");
        assertThat(member.losses()).singleElement().satisfies(cause -> assertThat(cause)
                .hasMessageContaining("engine broke"));
        assertThat(membership.state().session()).isEqualTo(2);
    }

    @Test
    void eventsOfASessionTheMemberFailedToJoinAreNotDelivered() {
        member.failOnce("joined", new AssertionError("engine broke"));
        join();
        Cursor stale = new Cursor(1, "e1", "0-0", 10);

        membership.read(new LogRead(stale, 11, 11, null, "0-0", true, false), List.of(event(7, 11)), List.of());

        assertThat(member.received()).isEmpty();
    }

    @Test
    void anOutageDropsTheLeaseAndSendsEveryKeyAgain() {
        join();
        lease.renewed(4, clock.get());
        registration.sent(registration.next(java.util.Set.of("7")), true);

        membership.heartbeatFailed(new IllegalStateException("Redis is unreachable"));

        assertThat(lease.token(clock.get())).isZero();
        assertThat(registration.next(java.util.Set.of("7")).reset()).isTrue();
        assertThat(member.names()).endsWith("lost");
    }

    @Test
    void logsAnOutageOnceAndItsEndOnce() {
        try (LogCapture log = new LogCapture()) {
            join();
            membership.heartbeatFailed(new IllegalStateException("Redis is unreachable"));
            membership.heartbeatFailed(new IllegalStateException("Redis is unreachable"));
            membership.heartbeat(reply(2_000, 10, -1), -1, false, clock.get());

            assertThat(log.atLeast(java.util.logging.Level.INFO)).extracting(record -> record.getMessage())
                    .satisfiesExactly(
                            warning -> assertThat(warning).contains("Redis is unreachable").contains("every PT0.333S"),
                            info -> assertThat(info).contains("reachable again"));
        }
    }

    @Test
    void callsTheMemberWithoutHoldingTheLockOtherThreadsNeed() {
        // Another thread reads the state while the member is being called: it would wait forever if the call were
        // made under the lock.
        member.during(() -> CompletableFuture.supplyAsync(membership::readPosition).orTimeout(30, TimeUnit.SECONDS)
                .join());

        join();

        assertThat(member.names()).containsExactly("joining", "joined");
    }

    @Test
    void aClosedMembershipDecidesAndTellsNothingMore() throws InterruptedException {
        membership.close();

        assertThat(membership.heartbeat(reply(1_000, 10, -1), -1, true, clock.get())).isEmpty();
        assertThat(member.calls()).isEmpty();
        assertThat(membership.awaitCursor(Duration.ofDays(1))).as("returns at once").isNull();
    }
}
