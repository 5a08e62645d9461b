package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.core.testing.SseParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FanOutTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private StatusStream<String, String> stream;

    @AfterEach
    void close() {
        if (stream != null) {
            stream.close();
        }
    }

    @Test
    void deliversEveryChangeOnceAndInOrderToEverySubscriber() {
        source.put("bot", "stopped");
        stream = TestStreams.builder(source, scheduler).build();
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RecordingSink sink = new RecordingSink();
            sinks.add(sink);
            stream.subscribe(List.of("bot"), null, sink);
        }
        scheduler.runDue();

        for (String status : List.of("running", "paused", "running", "error")) {
            source.put("bot", status);
            scheduler.advance(INTERVAL);
        }

        assertThat(sinks).allSatisfy(sink -> assertThat(sink.data()).containsExactly(
                "bot|SNAPSHOT|stopped", "bot|CHANGE|running", "bot|CHANGE|paused", "bot|CHANGE|running",
                "bot|CHANGE|error"));
        assertThat(sinks.get(0).events()).extracting(SseParser.Event::lastEventId)
                .extracting(FanOutTest::seq).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void pollsThatFindNothingNewSendNothing() {
        source.put("bot", "running");
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();
        int writes = sink.writes();

        source.put("bot", "running");
        scheduler.advance(INTERVAL.multipliedBy(5));

        assertThat(sink.writes()).isEqualTo(writes);
        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running");
    }

    @Test
    void aKeyThatDisappearsIsRemovedAndComesBackAsAChange() {
        source.put("bot", "running");
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        source.remove("bot");
        scheduler.advance(INTERVAL);
        scheduler.advance(INTERVAL);
        source.put("bot", "stopped");
        scheduler.advance(INTERVAL);

        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running", "bot|REMOVED|null", "bot|CHANGE|stopped");
    }

    @Test
    void theChangeDetectorDecidesWhatIsAChange() {
        InMemoryStateSource<String, Row> rows = new InMemoryStateSource<>();
        rows.put("bot", new Row("running", 1));
        StatusStream<String, Row> versioned = StatusStream.builder(rows).scheduler(scheduler)
                .writerExecutor(Runnable::run).changeDetector(ChangeDetector.byVersion(Row::version)).build();
        RecordingSink sink = new RecordingSink();
        versioned.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        rows.put("bot", new Row("paused", 1));
        scheduler.advance(INTERVAL);
        rows.put("bot", new Row("stopped", 2));
        scheduler.advance(INTERVAL);
        versioned.close();

        assertThat(sink.data()).containsExactly("Row[status=running, version=1]", "Row[status=stopped, version=2]");
    }

    @Test
    void readyCompletesWithTheMissingKeysBeforeAnythingIsWritten() {
        source.put("a", "1");
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a", "ghost"), null, sink);
        CompletableFuture<Set<String>> ready = subscription.ready().toCompletableFuture();
        List<Integer> writesWhenReady = new ArrayList<>();
        ready.thenRun(() -> writesWhenReady.add(sink.writes()));
        assertThat(ready).isNotDone();

        scheduler.runDue();

        assertThat(ready).isCompletedWithValue(Set.of("ghost"));
        assertThat(writesWhenReady).containsExactly(0);
        assertThat(sink.data()).containsExactly("a|SNAPSHOT|1", "ghost|SNAPSHOT|null");
    }

    @Test
    void aSubscriptionClosedBeforeItsKeysLoadCancelsReadyAndWritesNothing() {
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);

        subscription.close();
        scheduler.runDue();

        assertThat(subscription.ready().toCompletableFuture()).isCompletedExceptionally();
        assertThatThrownBy(() -> subscription.ready().toCompletableFuture().join())
                .satisfies(failure -> assertThat(failure instanceof CancellationException
                        || failure.getCause() instanceof CancellationException).isTrue());
        assertThat(sink.writes()).isZero();
        assertThat(sink.closedWith()).as("the owner closed it: the sink is not called back").isNull();
        assertThat(stream.stats().watchedKeys()).isZero();
    }

    @Test
    void theFirstWriteCarriesAReconnectHintWithinTheJitter() {
        source.put("a", "1");
        stream = TestStreams.builder(source, scheduler)
                .reconnectDelay(Duration.ofMillis(1_000), Duration.ofMillis(500)).build();
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            RecordingSink sink = new RecordingSink();
            sinks.add(sink);
            stream.subscribe(List.of("a"), null, sink);
        }
        scheduler.runDue();

        assertThat(sinks).allSatisfy(sink -> {
            assertThat(sink.raw()).startsWith("retry: ");
            assertThat(sink.retry()).isBetween(1_000L, 1_500L);
        });
        assertThat(sinks.stream().map(RecordingSink::retry).distinct().count())
                .as("jittered, so clients cut together do not reconnect together").isGreaterThan(10);
    }

    @Test
    void subscribingWithoutKeysOrAfterCloseIsRefused() {
        stream = TestStreams.builder(source, scheduler).build();
        assertThatThrownBy(() -> stream.subscribe(List.of(), null, new RecordingSink()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one key");

        stream.close();

        assertThatThrownBy(() -> stream.subscribe(List.of("a"), null, new RecordingSink()))
                .isInstanceOf(StreamClosedException.class).hasMessage("status stream 'test' is closed");
    }

    @Test
    void closingTheStreamEndsEverySubscriberWithShutdownAndStopsPolling() {
        source.put("a", "1");
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);
        scheduler.runDue();

        stream.close();
        source.forgetCalls();
        scheduler.advance(INTERVAL.multipliedBy(10));

        assertThat(sink.closedWith()).isEqualTo(CloseReason.SHUTDOWN);
        assertThat(subscription.isOpen()).isFalse();
        assertThat(source.callCount()).isZero();
        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(stream.stats().subscribers()).isZero();
        assertThat(stream.stats().watchedKeys()).isZero();
    }

    static long seq(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    record Row(String status, long version) {
    }
}
