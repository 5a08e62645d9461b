package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Fan-out survives whatever a client, an executor, a serializer, a detector or a metrics listener does. */
class FanOutSafetyTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private StatusStream<String, String> stream;

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void writesThatFailDuringAnInlineFanOutCostTheHealthySubscriberNoChange() {
        source.put("bot", "v0");
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink healthy = new RecordingSink();
        List<RecordingSink> gone = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            RecordingSink sink = new RecordingSink();
            gone.add(sink);
            stream.subscribe(List.of("bot"), null, sink);
        }
        stream.subscribe(List.of("bot"), null, healthy);
        scheduler.runDue();
        gone.forEach(RecordingSink::disconnect);

        source.put("bot", "v1");
        scheduler.advance(INTERVAL);

        assertThat(healthy.data()).containsExactly("bot|SNAPSHOT|v0", "bot|CHANGE|v1");
        assertThat(gone).extracting(RecordingSink::closedWith).containsOnly(CloseReason.WRITE_FAILED);
        assertThat(stream.stats().subscribers()).isEqualTo(1);
        assertThat(stream.stats().sourceHealthy()).as("a client's failure is no failure of the source").isTrue();
    }

    @Test
    void aSinkThatThrowsAnUncheckedExceptionIsReleasedAndCostsOthersNothing() {
        source.put("bot", "v0");
        stream = TestStreams.builder(source, scheduler).build();
        AtomicBoolean broken = new AtomicBoolean();
        EventSink throwing = new EventSink() {
            @Override
            public void write(Frames written) {
                String frames = written.toString();
                if (broken.get()) {
                    throw new IllegalStateException("response already committed");
                }
            }

            @Override
            public void close(CloseReason reason) {
                throw new IllegalStateException("closing fails too");
            }
        };
        Subscription<String> bad = stream.subscribe(List.of("bot"), null, throwing);
        RecordingSink healthy = new RecordingSink();
        stream.subscribe(List.of("bot"), null, healthy);
        scheduler.runDue();
        broken.set(true);

        source.put("bot", "v1");
        scheduler.advance(INTERVAL);

        assertThat(bad.isOpen()).isFalse();
        assertThat(healthy.data()).containsExactly("bot|SNAPSHOT|v0", "bot|CHANGE|v1");
    }

    @Test
    void anExecutorThatRefusesADrainDelaysOnlyThatSubscriberUntilTheNextTick() {
        source.put("bot", "v0");
        AtomicBoolean refuseNext = new AtomicBoolean();
        stream = StatusStream.builder(source).scheduler(scheduler).serializer(TestStreams.KEY_KIND_STATE)
                .heartbeatInterval(Duration.ofSeconds(5))
                .writerExecutor(task -> {
                    if (refuseNext.compareAndSet(true, false)) {
                        throw new RejectedExecutionException("saturated");
                    }
                    task.run();
                }).build();
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();
        stream.subscribe(List.of("bot"), null, first);
        stream.subscribe(List.of("bot"), null, second);
        scheduler.runDue();
        refuseNext.set(true);

        source.put("bot", "v1");
        scheduler.advance(INTERVAL);

        assertThat(List.of(first.data(), second.data())).as("exactly one subscriber has the change at once")
                .filteredOn(data -> data.contains("bot|CHANGE|v1")).hasSize(1);

        scheduler.advance(Duration.ofSeconds(5));

        assertThat(first.data()).containsExactly("bot|SNAPSHOT|v0", "bot|CHANGE|v1");
        assertThat(second.data()).containsExactly("bot|SNAPSHOT|v0", "bot|CHANGE|v1");
        assertThat(stream.stats().subscribers()).isEqualTo(2);
    }

    @Test
    void anExecutorThatFailsWithAnErrorForOneDrainCostsTheOtherSubscribersNothing() {
        source.put("bot", "v0");
        AtomicBoolean failNext = new AtomicBoolean();
        stream = StatusStream.builder(source).scheduler(scheduler).serializer(TestStreams.KEY_KIND_STATE)
                .heartbeatInterval(Duration.ofSeconds(8))
                .writerExecutor(task -> {
                    if (failNext.compareAndSet(true, false)) {
                        throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
                    }
                    task.run();
                }).build();
        List<RecordingSink> sinks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordingSink sink = new RecordingSink();
            sinks.add(sink);
            stream.subscribe(List.of("bot"), null, sink);
        }
        scheduler.runDue();
        failNext.set(true);

        source.put("bot", "v1");
        scheduler.advance(INTERVAL);

        assertThat(sinks).as("the others at once, the refused one by the next tick")
                .filteredOn(sink -> sink.data().contains("bot|CHANGE|v1")).hasSizeGreaterThanOrEqualTo(2);

        scheduler.advance(Duration.ofSeconds(8));

        assertThat(sinks).allSatisfy(sink -> assertThat(sink.data()).endsWith("bot|CHANGE|v1"));
        assertThat(stream.stats().subscribers()).isEqualTo(3);
    }

    @Test
    void aChangeDetectorThatThrowsForOneKeyCostsOtherKeysNothingAndIsNoSourceFailure() {
        source.put("good", "1").put("bad", "1");
        stream = TestStreams.builder(source, scheduler).changeDetector((previous, current) -> {
            if (current.equals("boom")) {
                throw new IllegalArgumentException("cannot compare");
            }
            return !Objects.equals(previous, current);
        }).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("good", "bad"), null, sink);
        scheduler.runDue();

        source.put("bad", "boom").put("good", "2");
        scheduler.advance(INTERVAL);

        assertThat(sink.data()).containsExactly("good|SNAPSHOT|1", "bad|SNAPSHOT|1", "good|CHANGE|2");
        assertThat(stream.stats().sourceHealthy()).isTrue();

        source.put("bad", "3");
        scheduler.advance(INTERVAL);

        assertThat(sink.data()).endsWith("bad|CHANGE|3");
    }

    @Test
    void aMetricsListenerThatThrowsEverywhereCostsNoEventAndNoHealth() {
        source.put("bot", "v0");
        StreamMetrics throwing = new ThrowingMetrics();
        stream = TestStreams.builder(source, scheduler).metrics(throwing).build();
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        source.put("bot", "v1");
        scheduler.advance(INTERVAL);
        source.put("bot", "v2");
        stream.touch("bot");
        scheduler.runDue();
        subscription.close();

        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|v0", "bot|CHANGE|v1", "bot|CHANGE|v2");
        assertThat(stream.stats().sourceHealthy()).isTrue();
        assertThat(stream.stats().subscribers()).isZero();
    }

    @Test
    void aClientThatFailsOnItsFirstWriteNeverCountsAsASourceFailureNorHoldsItsKey() {
        source.put("bot", "v0");
        stream = TestStreams.builder(source, scheduler).keyRetention(Duration.ZERO).build();
        EventSink failing = new EventSink() {
            @Override
            public void write(Frames written) throws IOException {
                String frames = written.toString();
                throw new IOException("reset by peer");
            }

            @Override
            public void close(CloseReason reason) {
            }
        };

        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, failing);
        scheduler.runDue();

        assertThat(subscription.isOpen()).isFalse();
        assertThat(stream.stats().watchedKeys()).isZero();
        assertThat(stream.stats().sourceHealthy()).isTrue();
    }

    private static final class ThrowingMetrics implements StreamMetrics {
        @Override
        public void pollCompleted(int keys, int sourceCalls, long perClientCallsAvoided, Duration duration) {
            throw new IllegalStateException("metrics down");
        }

        @Override
        public void changesDetected(int changes) {
            throw new IllegalStateException("metrics down");
        }

        @Override
        public void eventsSent(int events) {
            throw new IllegalStateException("metrics down");
        }

        @Override
        public void subscriberOpened() {
            throw new IllegalStateException("metrics down");
        }

        @Override
        public void subscriberClosed(CloseReason reason) {
            throw new IllegalStateException("metrics down");
        }

        @Override
        public void eventCoalesced() {
            throw new IllegalStateException("metrics down");
        }
    }
}
