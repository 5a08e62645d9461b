package io.statusstream.redis;

import io.statusstream.redis.JoinProtocol.Action;
import io.statusstream.redis.JoinProtocol.Alone;
import io.statusstream.redis.JoinProtocol.Cursor;
import io.statusstream.redis.JoinProtocol.Joined;
import io.statusstream.redis.JoinProtocol.Joining;
import io.statusstream.redis.JoinProtocol.LogRead;
import io.statusstream.redis.JoinProtocol.State;
import io.statusstream.redis.JoinProtocol.Step;
import io.statusstream.redis.ScriptReplies.HeartbeatReply;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The join protocol without Redis, threads or a clock: states in, replies in, next state and actions out. Lease time
 * 1 s, so joining may wait 5 s (Redis' clock, ms) and backs off 5 s (local clock, ns).
 */
class JoinProtocolTest {

    private static final long SECOND = 1_000_000_000L;

    private final JoinProtocol protocol = new JoinProtocol(Duration.ofSeconds(1));

    private static HeartbeatReply reply(String epoch, long now, long logSeq, long roundStartedAt) {
        return new HeartbeatReply(epoch, 0, now, logSeq, roundStartedAt, true, "7-0");
    }

    private static Joining joiningSince(long registeredAt) {
        return new Joining(1, "e1", "3-0", registeredAt, 6_000, 0);
    }

    private static Joined joinedAt(long logSeq) {
        return new Joined(1, "e1", "3-0", logSeq, 0);
    }

    private static LogRead read(State from, long firstSeq, long lastSeq, boolean events, boolean hints) {
        return new LogRead(JoinProtocol.cursor(from), firstSeq, lastSeq, null, "9-0", events, hints);
    }

    private static String lossMessage(Step step) {
        return step.actions().stream().filter(Action.TellLost.class::isInstance).map(Action.TellLost.class::cast)
                .findFirst().orElseThrow().cause().getMessage();
    }

    @Nested
    class WhileJoining {

        @Test
        void aNewMemberStartsJoiningAtTheFirstHeartbeatThatSucceeds() {
            Step step = protocol.heartbeat(JoinProtocol.initial(), reply("e1", 1_000, 7, -1), -1, false, 0);

            assertThat(step.next()).isEqualTo(new Joining(1, "e1", "7-0", -1, 6_000, 0));
            assertThat(step.actions()).containsExactly(new Action.TellJoining(1));
        }

        @Test
        void registersOnlyOnceTheMemberHasStoppedPollingAlone() {
            Step stillPolling = protocol.heartbeat(joiningSince(-1), reply("e1", 2_000, 7, -1), -1, false, 0);
            assertThat(stillPolling.next()).isEqualTo(joiningSince(-1));
            assertThat(stillPolling.actions()).isEmpty();

            Step stopped = protocol.heartbeat(joiningSince(-1), reply("e1", 2_000, 7, -1), -1, true, 0);
            assertThat(stopped.next()).isEqualTo(joiningSince(2_000));
            assertThat(stopped.actions()).containsExactly(new Action.AskForRound());
        }

        @Test
        void joinsOnlyAfterARoundThatBeganAfterTheRegistration() {
            assertThat(protocol.heartbeat(joiningSince(2_000), reply("e1", 2_300, 40, 1_500), -1, true, 0).next())
                    .isEqualTo(joiningSince(2_000));
            assertThat(protocol.heartbeat(joiningSince(2_000), reply("e1", 2_600, 41, 2_000), -1, true, 0).next())
                    .isEqualTo(joiningSince(2_000));

            Step step = protocol.heartbeat(joiningSince(2_000), reply("e1", 2_900, 42, 2_001), -1, true, 0);

            assertThat(step.next()).isEqualTo(new Joined(1, "e1", "3-0", 42, 0));
            assertThat(step.actions()).containsExactly(new Action.TellJoined(1, "e1", 42));
        }

        @Test
        void registersAgainWhenTheEpochChangesWhileJoining() {
            Step step = protocol.heartbeat(joiningSince(2_000), reply("e2", 3_000, 0, 2_500), -1, true, 0);

            assertThat(step.next()).isEqualTo(new Joining(1, "e2", "3-0", 3_000, 6_000, 0));
            assertThat(step.actions()).containsExactly(new Action.AskForRound());
        }

        @Test
        void givesUpWhenNoRoundCompletesInFiveLeaseTimesAndBacksOffAsLong() {
            Step gaveUp = protocol.heartbeat(joiningSince(2_000), reply("e1", 6_001, 7, -1), -1, true, 10 * SECOND);

            assertThat(gaveUp.next()).isEqualTo(new Alone(1, false, true, 15 * SECOND));
            assertThat(lossMessage(gaveUp)).contains("no poll round of the cluster completed within PT5S");

            Step waiting = protocol.heartbeat(gaveUp.next(), reply("e1", 9_000, 7, -1), -1, false, 15 * SECOND - 1);
            assertThat(waiting.next()).isEqualTo(gaveUp.next());
            assertThat(waiting.actions()).isEmpty();

            Step again = protocol.heartbeat(gaveUp.next(), reply("e1", 12_000, 7, -1), -1, false, 15 * SECOND);
            assertThat(again.next()).isEqualTo(new Joining(2, "e1", "7-0", -1, 17_000, 0));
            assertThat(again.actions()).containsExactly(new Action.TellJoining(2));
        }
    }

    @Nested
    class OnceJoined {

        @Test
        void losesTheLogWhenTheEpochChanges() {
            Step step = protocol.heartbeat(joinedAt(50), reply("e2", 9_000, 0, -1), 50, true, 0);

            assertThat(step.next()).isEqualTo(new Alone(1, false, false, 0));
            assertThat(lossMessage(step)).contains("epoch changed from e1 to e2");
        }

        @Test
        void asksRedisToConfirmWhenAHeartbeatFindsTheLogBehindWhatWasRead() {
            Step step = protocol.heartbeat(joinedAt(50), reply("e1", 9_000, 40, -1), 50, true, 0);

            assertThat(step.next()).isEqualTo(joinedAt(50));
            assertThat(step.actions()).containsExactly(new Action.CheckLogWentBack(1, "e1", 50, 40));
        }

        @Test
        void checksNothingWhenTheLogIsAtOrAheadOfWhatWasRead() {
            assertThat(protocol.heartbeat(joinedAt(50), reply("e1", 9_000, 50, -1), 50, true, 0).actions()).isEmpty();
            assertThat(protocol.heartbeat(joinedAt(60), reply("e1", 9_000, 55, -1), 50, true, 0).actions()).isEmpty();
        }

        @Test
        void startsOverWhenRedisConfirmsTheLogWentBack() {
            Action.CheckLogWentBack check = new Action.CheckLogWentBack(1, "e1", 50, 40);

            Step step = protocol.logChecked(joinedAt(50), check, "e9");

            assertThat(step.next()).isEqualTo(new Alone(1, false, false, 0));
            assertThat(lossMessage(step)).contains("went back from 50 to 40");
        }

        @Test
        void staysWhenRedisFindsTheLogWhereItWasRead() {
            Step step = protocol.logChecked(joinedAt(50), new Action.CheckLogWentBack(1, "e1", 50, 40), "e1");

            assertThat(step).isEqualTo(Step.stay(joinedAt(50)));
        }

        @Test
        void ignoresTheCheckOfAnEarlierSession() {
            Joined later = new Joined(2, "e1", "3-0", 50, 0);

            assertThat(protocol.logChecked(later, new Action.CheckLogWentBack(1, "e1", 50, 40), "e9"))
                    .isEqualTo(Step.stay(later));
        }
    }

    @Nested
    class WhenReading {

        @Test
        void readsNothingWhileAloneTheHintsWhileJoiningAndTheLogOnceJoined() {
            assertThat(JoinProtocol.cursor(JoinProtocol.initial())).isNull();
            assertThat(JoinProtocol.cursor(joiningSince(-1))).isEqualTo(new Cursor(1, "e1", "3-0", -1));
            assertThat(JoinProtocol.cursor(joinedAt(10))).isEqualTo(new Cursor(1, "e1", "3-0", 10));
        }

        @Test
        void aHeartbeatComparesTheLogWithWhatWasReadOnlyOnceJoined() {
            assertThat(JoinProtocol.readPosition(JoinProtocol.initial())).isEqualTo(-1);
            assertThat(JoinProtocol.readPosition(joiningSince(2_000))).isEqualTo(-1);
            assertThat(JoinProtocol.readPosition(joinedAt(10))).isEqualTo(10);
        }

        @Test
        void deliversAReadThatContinuesTheLogAndMovesOnToItsEnd() {
            Step step = protocol.read(joinedAt(10), read(joinedAt(10), 11, 13, true, false));

            assertThat(step.next()).isEqualTo(new Joined(1, "e1", "9-0", 13, 0));
            assertThat(step.actions()).containsExactly(new Action.Deliver(1, "e1"));
        }

        @Test
        void movesOnWithoutDeliveringWhenNoEntryHadAKeyOfThisMember() {
            Step step = protocol.read(joinedAt(10), read(joinedAt(10), 11, 12, false, false));

            assertThat(step.next()).isEqualTo(new Joined(1, "e1", "9-0", 12, 0));
            assertThat(step.actions()).isEmpty();
        }

        @Test
        void passesTheHintsOfAReadWhileJoining() {
            Step step = protocol.read(joiningSince(2_000), read(joiningSince(2_000), 0, 0, false, true));

            assertThat(step.next()).isEqualTo(new Joining(1, "e1", "9-0", 2_000, 6_000, 0));
            assertThat(step.actions()).containsExactly(new Action.PassHints());
        }

        @Test
        void losesTheLogWhenTheMemberFellBehindIt() {
            Step step = protocol.read(joinedAt(10), read(joinedAt(10), 15, 20, true, false));

            assertThat(step.next()).isEqualTo(new Alone(1, false, false, 0));
            assertThat(lossMessage(step)).contains("fell behind the shared log (at 10, oldest retained 15)");
        }

        @Test
        void losesTheLogWhenItHoldsEventsOfAnotherEpoch() {
            LogRead foreign = new LogRead(JoinProtocol.cursor(joinedAt(10)), 11, 11, "e7", "9-0", true, false);

            Step step = protocol.read(joinedAt(10), foreign);

            assertThat(step.next()).isEqualTo(new Alone(1, false, false, 0));
            assertThat(lossMessage(step)).contains("events of epoch e7, not e1");
        }

        @Test
        void dropsAReadOfAnEarlierSessionOrMadeWhileAlone() {
            Joined later = new Joined(2, "e1", "3-0", 10, 0);
            LogRead earlier = read(joinedAt(10), 11, 12, true, true);

            assertThat(protocol.read(later, earlier)).isEqualTo(Step.stay(later));
            Alone alone = new Alone(1, false, false, 0);
            assertThat(protocol.read(alone, earlier)).isEqualTo(Step.stay(alone));
        }

        @Test
        void aReadBegunBeforeTheMemberJoinedPassesOnlyItsHints() {
            LogRead hintsOnly = read(joiningSince(2_000), 0, 0, false, true);

            Step step = protocol.read(joinedAt(10), hintsOnly);

            assertThat(step.next()).isEqualTo(new Joined(1, "e1", "9-0", 10, 0));
            assertThat(step.actions()).containsExactly(new Action.PassHints());
        }
    }

    @Nested
    class OnFailure {

        private final RuntimeException unreachable = new IllegalStateException("Redis is unreachable");

        @Test
        void oneOrTwoFailedReadsAreNotAnOutageTheThirdInARowIs() {
            Cursor cursor = JoinProtocol.cursor(joinedAt(10));
            Step first = protocol.readFailed(joinedAt(10), cursor, unreachable);
            Step second = protocol.readFailed(first.next(), cursor, unreachable);
            Step third = protocol.readFailed(second.next(), cursor, unreachable);

            assertThat(first).isEqualTo(Step.stay(new Joined(1, "e1", "3-0", 10, 1)));
            assertThat(second).isEqualTo(Step.stay(new Joined(1, "e1", "3-0", 10, 2)));
            assertThat(third.next()).isEqualTo(new Alone(1, true, false, 0));
            assertThat(third.actions()).containsExactly(new Action.OutageBegan(unreachable),
                    new Action.TellLost(unreachable));
        }

        @Test
        void aReadThatSucceedsClearsTheFailedOnes() {
            Cursor cursor = JoinProtocol.cursor(joiningSince(2_000));
            State twice = protocol.readFailed(protocol.readFailed(joiningSince(2_000), cursor, unreachable).next(),
                    cursor, unreachable).next();

            State read = protocol.read(twice, read(twice, 0, 0, false, false)).next();

            assertThat(protocol.readFailed(read, cursor, unreachable).next())
                    .isEqualTo(new Joining(1, "e1", "9-0", 2_000, 6_000, 1));
        }

        @Test
        void aFailedReadOfAnEarlierSessionCountsForNothing() {
            Joined later = new Joined(2, "e1", "3-0", 10, 2);

            assertThat(protocol.readFailed(later, JoinProtocol.cursor(joinedAt(10)), unreachable))
                    .isEqualTo(Step.stay(later));
        }

        @Test
        void aFailedHeartbeatBeginsAnOutageOnceAndReportsTheLossEachTime() {
            RuntimeException again = new IllegalStateException("still unreachable");

            Step first = protocol.heartbeatFailed(joinedAt(10), unreachable);
            Step second = protocol.heartbeatFailed(first.next(), again);

            assertThat(first.next()).isEqualTo(new Alone(1, true, false, 0));
            assertThat(first.actions()).containsExactly(new Action.OutageBegan(unreachable),
                    new Action.TellLost(unreachable));
            assertThat(second.next()).isEqualTo(new Alone(1, true, false, 0));
            assertThat(second.actions()).containsExactly(new Action.TellLost(again));
        }

        @Test
        void anErrorInAHeartbeatIsAnOutageLikeAnyOther() {
            Error broken = new StackOverflowError();

            Step step = protocol.heartbeatFailed(joiningSince(2_000), broken);

            assertThat(step.next()).isEqualTo(new Alone(1, true, false, 0));
            assertThat(step.actions()).containsExactly(new Action.OutageBegan(broken), new Action.TellLost(broken));
        }

        @Test
        void theFirstHeartbeatAfterAnOutageEndsItAndJoinsAgainInANewSession() {
            Step step = protocol.heartbeat(new Alone(1, true, false, 0), reply("e1", 20_000, 60, 19_000), -1, false,
                    0);

            assertThat(step.next()).isEqualTo(new Joining(2, "e1", "7-0", -1, 25_000, 0));
            assertThat(step.actions()).containsExactly(new Action.OutageEnded(), new Action.TellJoining(2));
        }

        @Test
        void anOutageWhileBackingOffKeepsTheBackOff() {
            Step outage = protocol.heartbeatFailed(new Alone(1, false, true, 15 * SECOND), unreachable);
            Step back = protocol.heartbeat(outage.next(), reply("e1", 9_000, 7, -1), -1, false, 14 * SECOND);

            assertThat(outage.next()).isEqualTo(new Alone(1, true, true, 15 * SECOND));
            assertThat(back.next()).isEqualTo(new Alone(1, false, true, 15 * SECOND));
            assertThat(back.actions()).containsExactly(new Action.OutageEnded());
        }

        @Test
        void anEngineThatFailsToTakeAnEventOfTheSessionEndsIt() {
            Error failure = new AssertionError("engine broke");

            Step step = protocol.memberFailed(joinedAt(10), 1, failure);

            assertThat(step.next()).isEqualTo(new Alone(1, false, false, 0));
            assertThat(step.actions()).singleElement().isInstanceOfSatisfying(Action.TellLost.class,
                    lost -> assertThat(lost.cause()).hasCause(failure).hasMessageContaining("engine broke"));
        }

        @Test
        void aFailureToTakeAnEventOfAnEarlierSessionChangesNothing() {
            Joined later = new Joined(2, "e1", "3-0", 10, 0);

            assertThat(protocol.memberFailed(later, 1, new AssertionError())).isEqualTo(Step.stay(later));
            Alone alone = new Alone(2, false, false, 0);
            assertThat(protocol.memberFailed(alone, 2, new AssertionError())).isEqualTo(Step.stay(alone));
        }
    }
}
