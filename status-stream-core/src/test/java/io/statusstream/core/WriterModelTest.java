package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default writers: clients whose sockets never drain cannot starve healthy ones, on Java 17 (platform threads
 * that compensate for stalled writes) as on 21+ (virtual threads). Time is the engine's manual clock; the writes are
 * real threads, waited for on conditions, never timed.
 */
class WriterModelTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;
    private static final Duration STUCK_TIMEOUT = StatusStreamBuilder.DEFAULT_STUCK_CLIENT_TIMEOUT;
    private static final int STUCK = 200;
    private static final int HEALTHY = 20;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private final CountDownLatch unblock = new CountDownLatch(1);
    private final AtomicInteger blockedWrites = new AtomicInteger();
    private PollingStatusStream<String, String> stream;

    @AfterEach
    void close() {
        unblock.countDown();
        stream.close();
    }

    @Test
    void twoHundredStuckClientsDoNotStarveTwentyHealthyOnesOnTheDefaultWriters() throws Exception {
        source.put("bot", "v0");
        stream = (PollingStatusStream<String, String>) StatusStream.builder(source).scheduler(scheduler)
                .serializer(TestStreams.KEY_KIND_STATE).build();
        CountDownLatch snapshotsWritten = new CountDownLatch(STUCK + HEALTHY);
        CountDownLatch healthyHaveTheChange = new CountDownLatch(HEALTHY);
        for (int i = 0; i < STUCK; i++) {
            stream.subscribe(List.of("bot"), null, new StuckAfterFirstWrite(snapshotsWritten));
        }
        for (int i = 0; i < HEALTHY; i++) {
            stream.subscribe(List.of("bot"), null, new Healthy(snapshotsWritten, healthyHaveTheChange));
        }
        scheduler.runDue();
        assertThat(snapshotsWritten.await(30, TimeUnit.SECONDS)).as("every snapshot written").isTrue();

        source.put("bot", "v1");
        scheduler.advance(INTERVAL);
        Duration waited = Duration.ZERO;
        while (healthyHaveTheChange.getCount() > 0 && waited.compareTo(STUCK_TIMEOUT) < 0) {
            awaitWritersSettled();
            scheduler.advance(Writers.STALL_CHECK);
            waited = waited.plus(Writers.STALL_CHECK);
        }

        assertThat(healthyHaveTheChange.await(30, TimeUnit.SECONDS)).as("every healthy client has the change").isTrue();
        assertThat(waited).as("engine time until the last healthy client had it")
                .isLessThan(STUCK_TIMEOUT.dividedBy(3));
        assertThat(stream.stats().subscribers()).as("nobody was cut yet").isEqualTo(STUCK + HEALTHY);
    }

    /**
     * Waits (on real threads, bounded) until every writer thread is blocked in a stuck write, or every stuck client
     * is: virtual threads (Java 21+) give each stuck write its own.
     */
    private void awaitWritersSettled() throws InterruptedException {
        Writers writers = stream.writers();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            int threads = writers.poolSize() < 0 ? STUCK : writers.poolSize();
            if (blockedWrites.get() >= Math.min(STUCK, threads)) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    private final class StuckAfterFirstWrite implements EventSink {
        private final CountDownLatch snapshotsWritten;
        private boolean wroteOnce;

        StuckAfterFirstWrite(CountDownLatch snapshotsWritten) {
            this.snapshotsWritten = snapshotsWritten;
        }

        @Override
        public void write(Frames written) throws java.io.IOException {
            String frames = written.toString();
            if (!wroteOnce) {
                wroteOnce = true;
                snapshotsWritten.countDown();
                return;
            }
            blockedWrites.incrementAndGet();
            try {
                unblock.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new java.io.IOException("interrupted");
            }
        }

        @Override
        public void close(CloseReason reason) {
        }
    }

    private static final class Healthy implements EventSink {
        private final CountDownLatch snapshotsWritten;
        private final CountDownLatch haveTheChange;

        Healthy(CountDownLatch snapshotsWritten, CountDownLatch haveTheChange) {
            this.snapshotsWritten = snapshotsWritten;
            this.haveTheChange = haveTheChange;
        }

        @Override
        public void write(Frames written) {
            String frames = written.toString();
            if (frames.contains("bot|SNAPSHOT|v0")) {
                snapshotsWritten.countDown();
            }
            if (frames.contains("bot|CHANGE|v1")) {
                haveTheChange.countDown();
            }
        }

        @Override
        public void close(CloseReason reason) {
        }
    }
}
