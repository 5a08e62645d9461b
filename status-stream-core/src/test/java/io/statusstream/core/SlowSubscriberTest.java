package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.core.testing.SseParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SlowSubscriberTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;
    private static final Duration STUCK_TIMEOUT = Duration.ofSeconds(30);

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private final ExecutorService writers = Executors.newCachedThreadPool();
    private final CountDownLatch unblock = new CountDownLatch(1);
    private StatusStream<String, String> stream;

    @AfterEach
    void close() throws InterruptedException {
        unblock.countDown();
        if (stream != null) {
            stream.close();
        }
        writers.shutdown();
        assertThat(writers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aClientThatNeverDrainsDelaysNobodyStaysBoundedAndIsClosedAfterTheDeadline() throws Exception {
        source.put("a", "a0").put("b", "b0");
        AtomicInteger closedAsStuck = new AtomicInteger();
        stream = StatusStream.builder(source).scheduler(scheduler).writerExecutor(writers)
                .serializer(TestStreams.KEY_KIND_STATE).stuckClientTimeout(STUCK_TIMEOUT)
                .metrics(new StreamMetrics() {
                    @Override
                    public void subscriberClosed(CloseReason reason) {
                        if (reason == CloseReason.STUCK) {
                            closedAsStuck.incrementAndGet();
                        }
                    }
                }).build();
        BlockingSink stuck = new BlockingSink();
        Subscription<String> stuckSubscription = stream.subscribe(List.of("a", "b"), null, stuck);
        List<WaitingSink> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            WaitingSink sink = new WaitingSink();
            others.add(sink);
            stream.subscribe(List.of("a", "b"), null, sink);
        }
        scheduler.runDue();
        assertThat(stuck.entered.await(10, TimeUnit.SECONDS)).as("the stuck client's first write blocks").isTrue();

        for (int change = 1; change <= 10; change++) {
            source.put("a", "a" + change).put("b", "b" + change);
            scheduler.advance(INTERVAL);
            for (WaitingSink sink : others) {
                sink.awaitData("b|CHANGE|b" + change);
            }
            assertThat(((Subscriber<?, ?>) stuckSubscription).queuedEvents())
                    .as("one undelivered event per key at most").isLessThanOrEqualTo(2);
        }
        assertThat(stuckSubscription.isOpen()).isTrue();

        scheduler.advance(STUCK_TIMEOUT);

        assertThat(stuckSubscription.isOpen()).isFalse();
        assertThat(stuck.awaitClose()).isEqualTo(CloseReason.STUCK);
        assertThat(closedAsStuck).hasValue(1);
        assertThat(stream.stats().subscribers()).isEqualTo(20);
    }

    @Test
    void aSlowClientGetsTheLatestStateOfEachKeyAndTheReplacementsAreCounted() {
        source.put("a", "a0").put("b", "b0");
        ArrayDeque<Runnable> pendingWrites = new ArrayDeque<>();
        AtomicInteger coalesced = new AtomicInteger();
        stream = StatusStream.builder(source).scheduler(scheduler).writerExecutor(pendingWrites::add)
                .serializer(TestStreams.KEY_KIND_STATE)
                .metrics(new StreamMetrics() {
                    @Override
                    public void eventCoalesced() {
                        coalesced.incrementAndGet();
                    }
                }).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("a", "b"), null, sink);
        scheduler.runDue();
        runAll(pendingWrites);

        source.put("a", "a1");
        scheduler.advance(INTERVAL);
        source.put("b", "b1");
        scheduler.advance(INTERVAL);
        source.put("a", "a2");
        scheduler.advance(INTERVAL);
        runAll(pendingWrites);

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|a0", "b|SNAPSHOT|b0", "b|CHANGE|b1", "a|CHANGE|a2");
        assertThat(sink.events()).extracting(SseParser.Event::lastEventId).extracting(FanOutTest::seq).isSorted();
        assertThat(coalesced).hasValue(1);
    }

    @Test
    void aFailedWriteReleasesTheSubscriberAndClosesItsSink() {
        source.put("a", "a0");
        stream = TestStreams.builder(source, scheduler).keyRetention(Duration.ZERO).build();
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);
        scheduler.runDue();

        sink.disconnect();
        source.put("a", "a1");
        scheduler.advance(INTERVAL);

        assertThat(subscription.isOpen()).isFalse();
        assertThat(sink.closedWith()).isEqualTo(CloseReason.WRITE_FAILED);
        assertThat(stream.stats().watchedKeys()).isZero();
    }

    private static void runAll(ArrayDeque<Runnable> tasks) {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }

    /** A client whose socket never drains: its first write blocks until the test ends. */
    private final class BlockingSink implements EventSink {
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile CloseReason reason;

        @Override
        public void write(Frames written) throws IOException {
            String frames = written.toString();
            entered.countDown();
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("socket closed");
        }

        @Override
        public void close(CloseReason reason) {
            this.reason = reason;
            closed.countDown();
        }

        CloseReason awaitClose() throws InterruptedException {
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
            return reason;
        }
    }

    /** A healthy client that lets the test wait for an event to arrive. */
    private static final class WaitingSink implements EventSink {
        private final RecordingSink recording = new RecordingSink();

        @Override
        public void write(Frames written) throws IOException {
            synchronized (this) {
                recording.write(written);
                notifyAll();
            }
        }

        @Override
        public void close(CloseReason reason) {
            recording.close(reason);
        }

        synchronized void awaitData(String data) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!recording.data().contains(data)) {
                long left = deadline - System.nanoTime();
                assertThat(left).as("waiting for %s, got %s", data, recording.data()).isPositive();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
