package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link StatusStream#drain}: subscribers ended in waves over the period, each told when to come back so that their
 * reconnections fall spread over the period, new subscribers refused meanwhile, the stream closed at the end.
 */
class DrainTest {

    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
    private static final String END = "event: end\ndata: {\"reason\":\"shutdown\"}\n\n";

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<String, String>()
            .put("a", "1");
    private final StatusStream<String, String> stream = TestStreams.builder(source, scheduler)
            .reconnectDelay(RECONNECT_DELAY, Duration.ZERO).build();

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void endsTheSubscribersInEvenWavesSpreadOverThePeriodThenCloses() {
        List<RecordingSink> sinks = subscribe(100);

        CompletionStage<Void> drained = stream.drain(Duration.ofSeconds(1));
        List<Long> endedAfterEachWave = new ArrayList<>();
        for (int wave = 0; wave < 10; wave++) {
            scheduler.runDue();
            endedAfterEachWave.add(sinks.stream().filter(sink -> sink.closedWith() != null).count());
            assertThat(drained.toCompletableFuture().isDone()).as("closed after wave %d", wave).isEqualTo(wave == 9);
            scheduler.advance(Duration.ofMillis(100));
        }

        assertThat(endedAfterEachWave).containsExactly(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L);
        assertThat(stream.stats().subscribers()).isZero();
        assertThat(stream.stats().watchedKeys()).isZero();
    }

    @Test
    void everySubscriberGetsARetryHintThenTheShutdownEndEventAndIsClosedAsEnded() {
        List<RecordingSink> sinks = subscribe(50);

        stream.drain(Duration.ofSeconds(1));
        scheduler.advance(Duration.ofSeconds(1));

        for (RecordingSink sink : sinks) {
            assertThat(sink.raw()).as("the last frames").matches("(?s).*\nretry: \\d+\n\n" + java.util.regex.Pattern.quote(END));
            assertThat(sink.data()).last().isEqualTo("{\"reason\":\"shutdown\"}");
            assertThat(sink.events()).last().extracting(event -> event.type()).isEqualTo("end");
            assertThat(sink.retry()).as("the reconnect delay plus up to one wave's width")
                    .isBetween(RECONNECT_DELAY.toMillis(), RECONNECT_DELAY.toMillis() + 99);
            assertThat(sink.closedWith()).isEqualTo(CloseReason.ENDED);
        }
    }

    @Test
    void clientsThatWaitTheirRetryHintComeBackSpreadEvenlyOverThePeriod() {
        List<RecordingSink> sinks = subscribe(200);
        Duration period = Duration.ofSeconds(2);
        long start = scheduler.nanoTime();

        stream.drain(period);
        Map<RecordingSink, Long> endedAtMillis = new HashMap<>();
        for (int step = 0; step <= 20; step++) {
            scheduler.runDue();
            for (RecordingSink sink : sinks) {
                if (sink.closedWith() != null) {
                    endedAtMillis.putIfAbsent(sink, (scheduler.nanoTime() - start) / 1_000_000);
                }
            }
            scheduler.advance(Duration.ofMillis(100));
        }

        int[] reconnectsPerTenth = new int[10];
        for (RecordingSink sink : sinks) {
            long reconnectAt = endedAtMillis.get(sink) + sink.retry() - RECONNECT_DELAY.toMillis();
            assertThat(reconnectAt).isBetween(0L, period.toMillis() - 1);
            reconnectsPerTenth[(int) (reconnectAt * 10 / period.toMillis())]++;
        }
        assertThat(reconnectsPerTenth).as("reconnections per tenth of the period, after the reconnect delay")
                .containsOnly(20);
    }

    @Test
    void aStreamWhoseLastEndIsNotWrittenIsClosedOnePeriodAfterTheStart() {
        RecordingSink stuck = new RecordingSink();
        Queue<Runnable> neverRun = new ArrayDeque<>();
        StatusStream<String, String> held = StatusStream.builder(source).name("held").scheduler(scheduler)
                .writerExecutor(neverRun::add).serializer(TestStreams.KEY_KIND_STATE).build();
        held.subscribe(List.of("a"), null, stuck);
        scheduler.runDue();
        neverRun.poll().run(); // the first write: the subscription is ready, its end will never be written

        CompletionStage<Void> drained = held.drain(Duration.ofSeconds(1));
        scheduler.advance(Duration.ofMillis(999));
        assertThat(drained.toCompletableFuture()).isNotDone();
        scheduler.advance(Duration.ofMillis(1));

        assertThat(drained.toCompletableFuture()).isDone();
        assertThat(held.stats().subscribers()).isZero();
        neverRun.forEach(Runnable::run); // the executor wakes up after all: too late for the end event
        assertThat(stuck.closedWith()).isEqualTo(CloseReason.SHUTDOWN);
        assertThat(stuck.raw()).doesNotContain("event: end");
    }

    @Test
    void refusesNewSubscribersDuringTheDrainWhileTheOthersStillGetChanges() {
        List<RecordingSink> sinks = subscribe(10);

        stream.drain(Duration.ofSeconds(10));
        scheduler.runDue();
        assertThatThrownBy(() -> stream.subscribe(List.of("a"), null, new RecordingSink()))
                .isInstanceOf(StreamClosedException.class);
        source.put("a", "2");
        stream.touch("a");
        scheduler.runDue();

        List<RecordingSink> open = sinks.stream().filter(sink -> sink.closedWith() == null).toList();
        assertThat(open).hasSize(9);
        assertThat(open).allSatisfy(sink -> assertThat(sink.data()).containsExactly("a|SNAPSHOT|1", "a|CHANGE|2"));
    }

    @Test
    void fewerSubscribersThanWavesAreEndedOneByOneSpreadOverThePeriod() {
        List<RecordingSink> sinks = subscribe(4);

        stream.drain(Duration.ofSeconds(8));
        List<Long> ended = new ArrayList<>();
        for (int second = 0; second < 8; second++) {
            scheduler.runDue();
            ended.add(sinks.stream().filter(sink -> sink.closedWith() != null).count());
            scheduler.advance(Duration.ofSeconds(1));
        }

        assertThat(ended).containsExactly(1L, 1L, 2L, 2L, 3L, 3L, 4L, 4L);
        assertThat(sinks).allSatisfy(sink -> assertThat(sink.retry())
                .isBetween(RECONNECT_DELAY.toMillis(), RECONNECT_DELAY.toMillis() + 1999 + 1000));
    }

    @Test
    void aZeroPeriodEndsEveryStreamAtOnceAsCloseDoes() {
        List<RecordingSink> sinks = subscribe(20);

        CompletionStage<Void> drained = stream.drain(Duration.ZERO);

        assertThat(drained.toCompletableFuture()).isDone();
        assertThat(sinks).allSatisfy(sink -> assertThat(sink.closedWith()).isEqualTo(CloseReason.SHUTDOWN));
        assertThatThrownBy(() -> stream.subscribe(List.of("a"), null, new RecordingSink()))
                .isInstanceOf(StreamClosedException.class);
    }

    @Test
    void withoutSubscribersTheStreamClosesAtOnce() {
        assertThat(stream.drain(Duration.ofSeconds(10)).toCompletableFuture()).isDone();
        assertThatThrownBy(() -> stream.subscribe(List.of("a"), null, new RecordingSink()))
                .isInstanceOf(StreamClosedException.class);
    }

    @Test
    void closeDuringADrainClosesTheRestAtOnceAndCompletesTheDrain() {
        List<RecordingSink> sinks = subscribe(100);
        CompletionStage<Void> drained = stream.drain(Duration.ofSeconds(1));
        CompletionStage<Void> again = stream.drain(Duration.ofSeconds(5));
        scheduler.runDue();

        stream.close();

        assertThat(drained.toCompletableFuture()).isDone();
        assertThat(again.toCompletableFuture()).isDone();
        assertThat(sinks.stream().filter(sink -> sink.closedWith() == CloseReason.ENDED)).hasSize(10);
        assertThat(sinks.stream().filter(sink -> sink.closedWith() == CloseReason.SHUTDOWN)).hasSize(90);
        scheduler.advance(Duration.ofSeconds(2));
        assertThat(sinks.stream().filter(sink -> sink.closedWith() == CloseReason.ENDED))
                .as("no wave runs after the close").hasSize(10);
    }

    @Test
    void aSubscriberStillWaitingForItsFirstStateIsClosedWithoutAnEvent() {
        source.failWith(new IllegalStateException("the source is down"));
        RecordingSink waiting = new RecordingSink();
        stream.subscribe(List.of("b"), null, waiting);
        scheduler.runDue();

        stream.drain(Duration.ofSeconds(1));
        scheduler.runDue();

        assertThat(waiting.closedWith()).isEqualTo(CloseReason.SHUTDOWN);
        assertThat(waiting.raw()).isEmpty();
    }

    @Test
    void refusesANegativePeriod() {
        assertThatThrownBy(() -> stream.drain(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("period must not be negative");
    }

    private List<RecordingSink> subscribe(int count) {
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RecordingSink sink = new RecordingSink();
            stream.subscribe(List.of("a"), null, sink);
            sinks.add(sink);
        }
        scheduler.runDue();
        assertThat(sinks).allSatisfy(sink -> assertThat(sink.data()).containsExactly("a|SNAPSHOT|1"));
        return sinks;
    }
}
