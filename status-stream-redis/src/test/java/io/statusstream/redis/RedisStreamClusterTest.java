package io.statusstream.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.statusstream.core.SharedEvent;
import io.statusstream.core.StateEvent;
import io.statusstream.core.StreamCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One {@link RedisStreamCluster} on a real Redis, its member a {@link RecordingMember} and the test playing the
 * engine's leader: what the heartbeat and reader threads do when something throws, {@link Error}s included.
 */
@RequiresRedis
class RedisStreamClusterTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final String prefix = "status-stream-test-threads-"
            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    private final List<RedisStreamCluster<Long>> clusters = new ArrayList<>();
    private LettuceConnectionFactory connectionFactory;

    @BeforeEach
    void connect() {
        connectionFactory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(RequiresRedisExtension.HOST, RequiresRedisExtension.PORT));
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
    }

    @AfterEach
    void tearDown() {
        clusters.forEach(RedisStreamCluster::close);
        connectionFactory.destroy();
        try (RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
             StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = connection.sync().keys(prefix + "*");
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        }
    }

    @Test
    void aMemberJoinsTheLogAndReceivesWhatTheLeaderAppends() {
        RecordingMember member = new RecordingMember("rows").watch(7L);
        RedisStreamCluster<Long> cluster = start(member, Long::valueOf);
        awaitJoined(cluster, member, 1);

        append(cluster, 7);

        await().atMost(PATIENCE).until(() -> keysReceived(member).contains(7L));
        assertThat(member.losses()).isEmpty();
    }

    @Test
    void aHeartbeatThatThrowsAnErrorIsLoggedReportedAsLostAndTheClusterJoinsAgain() {
        RecordingMember member = new RecordingMember("rows").watch(7L);
        RedisStreamCluster<Long> cluster = start(member, Long::valueOf);
        awaitJoined(cluster, member, 1);
        AssertionError broken = new AssertionError("watchedKeys broke");

        try (LogCapture log = new LogCapture()) {
            member.failOnce("watchedKeys", broken);

            awaitJoined(cluster, member, 2);
            assertThat(member.losses()).containsExactly(broken);
            assertThat(log.atLeast(Level.SEVERE)).singleElement()
                    .satisfies(record -> assertThat(record.getThrown()).isSameAs(broken));
        }
        append(cluster, 7);
        await().atMost(PATIENCE).until(() -> keysReceived(member).contains(7L));
    }

    @Test
    void aReadThatThrowsAnErrorOnceIsReadAgainAndNothingIsLost() {
        RecordingMember member = new RecordingMember("rows").watch(7L, 13L);
        ThrowingParser parser = new ThrowingParser("13", 1);
        RedisStreamCluster<Long> cluster = start(member, parser);
        awaitJoined(cluster, member, 1);

        append(cluster, 13);
        append(cluster, 7);

        await().atMost(PATIENCE).until(() -> keysReceived(member).containsAll(List.of(13L, 7L)));
        assertThat(parser.thrown).isEqualTo(1);
        assertThat(keysReceived(member)).containsExactly(13L, 7L);
        assertThat(member.losses()).isEmpty();
    }

    @Test
    void aLogEntryThatNeverDecodesCostsTheSessionNotTheReaderAndTheMemberRejoinsPastIt() {
        RecordingMember member = new RecordingMember("rows").watch(7L, 66L);
        RedisStreamCluster<Long> cluster = start(member, new ThrowingParser("66", Integer.MAX_VALUE));
        awaitJoined(cluster, member, 1);

        append(cluster, 66);

        awaitJoined(cluster, member, 2);
        assertThat(member.losses()).singleElement().isInstanceOf(ThrowingParser.Broken.class);
        append(cluster, 7);
        await().atMost(PATIENCE).until(() -> keysReceived(member).contains(7L));
        assertThat(keysReceived(member)).containsExactly(7L);
    }

    @Test
    void aMemberThatThrowsAnErrorOnReceivingIsToldItIsLostAndJoinsAgain() {
        RecordingMember member = new RecordingMember("rows").watch(7L);
        RedisStreamCluster<Long> cluster = start(member, Long::valueOf);
        awaitJoined(cluster, member, 1);
        member.failOnce("received", new NoClassDefFoundError("simulated"));

        append(cluster, 7);

        awaitJoined(cluster, member, 2);
        assertThat(member.losses()).singleElement().satisfies(cause -> assertThat(cause)
                .hasCauseInstanceOf(NoClassDefFoundError.class));
        append(cluster, 7);
        await().atMost(PATIENCE).until(() -> member.count("received") == 2);
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    private RedisStreamCluster<Long> start(RecordingMember member, Function<String, Long> parser) {
        RedisStreamCluster<Long> cluster = RedisStreamCluster.<Long>builder(connectionFactory, String::valueOf, parser)
                .prefix(prefix)
                .leaseTime(Duration.ofMillis(500))
                .build();
        clusters.add(cluster);
        cluster.start(member);
        return cluster;
    }

    /** Waits for the member's {@code times}-th join, playing the leader meanwhile (a round each poll). */
    private static void awaitJoined(RedisStreamCluster<Long> cluster, RecordingMember member, int times) {
        await().atMost(PATIENCE).until(() -> {
            long token = cluster.leaderToken();
            if (token != 0) {
                try {
                    cluster.completeRound(token, cluster.beginRound(token));
                } catch (StreamCluster.LeadershipLostException lost) {
                    return false;
                }
            }
            return member.count("joined") >= times;
        });
    }

    /** Appends a change of the key, as the leader, at the log's next position. */
    private static void append(RedisStreamCluster<Long> cluster, long key) {
        await().atMost(PATIENCE).until(() -> {
            long token = cluster.leaderToken();
            if (token == 0) {
                return false;
            }
            try {
                long seq = cluster.beginRound(token).lastSeq() + 1;
                String data = "{\"key\":" + key + "}";
                cluster.append(token, List.of(new SharedEvent<>(key, seq, StateEvent.Kind.CHANGE, true, data, data)));
                return true;
            } catch (StreamCluster.LeadershipLostException lost) {
                return false;
            }
        });
    }

    private static List<Long> keysReceived(RecordingMember member) {
        return member.received().stream().map(SharedEvent::key).toList();
    }

    /** Parses keys, but throws an {@link Error} for one key on the reader thread, the first {@code times} times. */
    private static final class ThrowingParser implements Function<String, Long> {

        static final class Broken extends Error {
            private static final long serialVersionUID = 1L;

            Broken(String text) {
                super("cannot parse " + text);
            }
        }

        private final String poisoned;
        private final int times;
        volatile int thrown;

        ThrowingParser(String poisoned, int times) {
            this.poisoned = poisoned;
            this.times = times;
        }

        @Override
        public Long apply(String text) {
            if (text.equals(poisoned) && thrown < times && Thread.currentThread().getName().endsWith("-reader")) {
                thrown++;
                throw new Broken(text);
            }
            return Long.valueOf(text);
        }
    }
}
