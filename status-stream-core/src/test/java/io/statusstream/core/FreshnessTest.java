package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * How fresh what clients see is: the delay from a change's detection to its write (delivery lag), how old what the
 * engine last fetched is (staleness), and the spans of polls and touches, all on the engine's clock.
 */
class FreshnessTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private final Recorder recorder = new Recorder();
    /** Writes wait here until the test runs them, so that time can pass between a change and its write. */
    private final Queue<Runnable> writes = new ArrayDeque<>();
    /** Whether writes wait for {@link #runWrites()}; else they run at once, on the caller's thread. */
    private boolean holdWrites;
    private StatusStream<String, String> stream;

    @AfterEach
    void close() {
        stream.close();
    }

    private StatusStream<String, String> start() {
        stream = StatusStream.builder(source).name("test").scheduler(scheduler).writerExecutor(write -> {
                    if (holdWrites) {
                        writes.add(write);
                    } else {
                        write.run();
                    }
                })
                .serializer(TestStreams.KEY_KIND_STATE).metrics(recorder).build();
        return stream;
    }

    private void runWrites() {
        for (Runnable write; (write = writes.poll()) != null; ) {
            write.run();
        }
    }

    @Test
    void aChangeWrittenSomeTimeAfterItsPollFoundItIsTimedExactlyThatLong() {
        source.put("bot", "idle");
        holdWrites = true;
        start();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();
        runWrites();

        source.put("bot", "running");
        scheduler.advance(INTERVAL);
        scheduler.advance(Duration.ofMillis(350));
        runWrites();

        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|idle", "bot|CHANGE|running");
        assertThat(recorder.lags).containsExactly(Duration.ofMillis(350).toNanos());
    }

    @Test
    void aWriteThatCarriesSeveralChangesIsTimedOnceByTheOldest() {
        source.put("a", "1").put("b", "1");
        holdWrites = true;
        start();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("a", "b"), null, sink);
        scheduler.runDue();
        runWrites();

        source.put("a", "2");
        scheduler.advance(INTERVAL);
        source.put("b", "2");
        scheduler.advance(INTERVAL);
        scheduler.advance(Duration.ofMillis(100));
        runWrites();

        assertThat(sink.data()).endsWith("a|CHANGE|2", "b|CHANGE|2");
        assertThat(sink.writes()).isEqualTo(2);
        assertThat(recorder.lags).containsExactly(INTERVAL.plusMillis(100).toNanos());
    }

    @Test
    void snapshotsAndTheReplayOfAReconnectingClientAreNotTimedAsLag() {
        source.put("bot", "idle");
        holdWrites = true;
        start();
        RecordingSink first = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, first);
        scheduler.runDue();
        runWrites();
        String seen = first.lastEventId();
        source.put("bot", "running");
        scheduler.advance(INTERVAL);
        subscription.close();
        runWrites();
        recorder.lags.clear();
        recorder.eventsSent = 0;

        scheduler.advance(Duration.ofSeconds(20));
        RecordingSink replayed = new RecordingSink();
        stream.subscribe(List.of("bot"), seen, replayed);
        RecordingSink fresh = new RecordingSink();
        stream.subscribe(List.of("bot"), null, fresh);
        scheduler.runDue();
        runWrites();

        assertThat(replayed.data()).containsExactly("bot|CHANGE|running");
        assertThat(fresh.data()).containsExactly("bot|SNAPSHOT|running");
        assertThat(recorder.eventsSent).isEqualTo(2);
        assertThat(recorder.lags).isEmpty();
    }

    @Test
    void aRevokedFrameIsNoChangeAndNotTimed() {
        source.put("a", "1").put("b", "1");
        holdWrites = true;
        start();
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a", "b"), null, sink);
        scheduler.runDue();
        runWrites();

        scheduler.advance(Duration.ofSeconds(1));
        subscription.revoke(List.of("a"));
        scheduler.advance(Duration.ofMillis(500));
        runWrites();

        assertThat(sink.data()).last().isEqualTo("a|REVOKED|null");
        assertThat(recorder.lags).isEmpty();
    }

    @Test
    void stalenessGrowsWhileTheSourceFailsAndIsZeroWhenAPollIsAnswered() {
        source.put("bot", "idle");
        start();
        stream.subscribe(List.of("bot"), null, new RecordingSink());
        scheduler.runDue();
        assertThat(stream.stats().staleness()).isZero();
        scheduler.advance(Duration.ofMillis(1500));
        assertThat(stream.stats().staleness()).isEqualTo(Duration.ofMillis(1500));

        scheduler.advance(Duration.ofMillis(500));
        assertThat(stream.stats().staleness()).as("at the periodic poll").isZero();
        source.failWith(new IllegalStateException("connection refused"));
        scheduler.advance(Duration.ofMinutes(3));
        assertThat(stream.stats().sourceHealthy()).isFalse();
        assertThat(stream.stats().staleness()).isEqualTo(Duration.ofMinutes(3));

        source.recover();
        stream.pollNow();
        scheduler.runDue();
        assertThat(stream.stats().sourceHealthy()).isTrue();
        assertThat(stream.stats().staleness()).isZero();
    }

    @Test
    void anIdleStreamIsNotStaleButAFailingOneStaysStaleWhenItsLastKeyLeaves() {
        start();
        scheduler.advance(Duration.ofMinutes(10).plusMillis(700));
        assertThat(stream.stats().staleness()).isEqualTo(Duration.ofMillis(700));

        source.put("bot", "idle");
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, new RecordingSink());
        scheduler.runDue();
        source.failWith(new IllegalStateException("connection refused"));
        scheduler.advance(INTERVAL);
        subscription.close();
        scheduler.advance(Duration.ofSeconds(60));

        assertThat(stream.stats().watchedKeys()).isZero();
        assertThat(stream.stats().staleness()).isGreaterThan(Duration.ofSeconds(60));
    }

    @Test
    void aClusterMemberThatFansOutAnotherInstancesPollsHasNoStalenessOfItsOwn() {
        ScriptedCluster cluster = new ScriptedCluster();
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        assertThat(stream.stats().staleness()).as("polling alone").isNotNull();

        cluster.member.joining();
        cluster.member.joined(ScriptedCluster.EPOCH, cluster.seq);
        scheduler.runDue();
        assertThat(stream.stats().mode()).isEqualTo(StreamStats.Mode.CLUSTER);
        assertThat(stream.stats().staleness()).isNull();

        cluster.token = 1;
        scheduler.advance(INTERVAL);
        assertThat(stream.stats().clusterPoller()).isTrue();
        assertThat(stream.stats().staleness()).as("the cluster's poller").isZero();
    }

    @Test
    void everyPollIsASpanOnThePollerEndedWithItsFailure() {
        source.put("a", "1").put("b", "1");
        start();
        stream.subscribe(List.of("a", "b"), null, new RecordingSink());
        scheduler.runDue();
        source.failWith(new IllegalStateException("connection refused"));
        scheduler.advance(INTERVAL);

        assertThat(recorder.spans).containsExactly("poll 2 ended null",
                "poll 2 ended java.lang.IllegalStateException: connection refused");
    }

    @Test
    void aTouchIsASpanOnTheCallersThreadEndedBeforeTouchReturns() {
        source.put("bot", "idle");
        start();
        stream.subscribe(List.of("bot"), null, new RecordingSink());
        scheduler.runDue();
        recorder.spans.clear();

        stream.touch(List.of("bot", "unwatched"));
        stream.touch("unwatched");
        assertThat(recorder.spans).containsExactly("touch 1 ended null", "touch 0 ended null");
        assertThat(recorder.spanThreads).containsOnly(Thread.currentThread().getName());

        scheduler.runDue();
        assertThat(recorder.spans).last().isEqualTo("poll 1 ended null");
    }

    @Test
    void aListenerThatFailsToStartOrEndASpanCostsThePollNothing() {
        source.put("bot", "idle");
        stream = TestStreams.builder(source, scheduler).metrics(new StreamMetrics() {
            @Override
            public Span pollStarted(int keys) {
                if (keys > 0) {
                    return failure -> {
                        throw new IllegalStateException("listener bug");
                    };
                }
                return null;
            }

            @Override
            public Span touched(int keys) {
                throw new IllegalStateException("listener bug");
            }
        }).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();
        source.put("bot", "running");
        assertThatCode(() -> stream.touch("bot")).doesNotThrowAnyException();
        scheduler.runDue();

        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|idle", "bot|CHANGE|running");
        assertThat(stream.stats().sourceHealthy()).isTrue();
    }

    /** Records lags, events sent and spans. */
    private static final class Recorder implements StreamMetrics {

        final List<Long> lags = new CopyOnWriteArrayList<>();
        final List<String> spans = new CopyOnWriteArrayList<>();
        final List<String> spanThreads = new CopyOnWriteArrayList<>();
        volatile int eventsSent;

        @Override
        public void eventsSent(int events) {
            eventsSent += events;
        }

        @Override
        public void changesDelivered(long lagNanos) {
            lags.add(lagNanos);
        }

        @Override
        public Span pollStarted(int keys) {
            return span("poll " + keys);
        }

        @Override
        public Span touched(int keys) {
            return span("touch " + keys);
        }

        private Span span(String what) {
            Thread starter = Thread.currentThread();
            return failure -> {
                assertThat(Thread.currentThread()).as("ended on the thread that started it").isSameAs(starter);
                spanThreads.add(starter.getName());
                spans.add(what + " ended " + failure);
            };
        }
    }
}
