package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No code the engine does not own — serializer, detector, executor, sink, metrics — runs while the engine holds its
 * lock: each of them here asks another thread to use the engine (subscribe, read stats) and waits for it, which
 * would deadlock if the calling thread held the lock.
 */
class UserCodeOutsideTheLockTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private final ExecutorService otherThread = Executors.newSingleThreadExecutor();
    private final Set<String> calledUnderLock = ConcurrentHashMap.newKeySet();
    private final Set<String> called = ConcurrentHashMap.newKeySet();
    private volatile StatusStream<String, String> stream;

    @AfterEach
    void close() {
        stream.close();
        otherThread.shutdownNow();
    }

    @Test
    void serializerDetectorExecutorSinkAndMetricsAreNeverCalledUnderTheEngineLock() {
        source.put("a", "a0").put("b", "b0");
        stream = StatusStream.builder(source).name("lock-test").scheduler(scheduler)
                .serializer(event -> {
                    probe("serializer");
                    return TestStreams.KEY_KIND_STATE.serialize(event);
                })
                .changeDetector((previous, current) -> {
                    probe("detector");
                    return !Objects.equals(previous, current);
                })
                .writerExecutor(task -> {
                    probe("executor");
                    task.run();
                })
                .metrics(new StreamMetrics() {
                    @Override
                    public void eventsSent(int events) {
                        probe("metrics");
                    }

                    @Override
                    public void subscriberOpened() {
                        probe("metrics");
                    }
                }).build();
        RecordingSink first = new RecordingSink();
        stream.subscribe(List.of("a"), null, new ProbingSink(first));
        scheduler.runDue();
        source.put("a", "a1");
        scheduler.advance(INTERVAL);
        RecordingSink late = new RecordingSink();
        stream.subscribe(List.of("a", "b"), null, new ProbingSink(late));
        scheduler.runDue();

        assertThat(called).containsExactlyInAnyOrder("serializer", "detector", "executor", "sink", "metrics");
        assertThat(calledUnderLock).isEmpty();
        assertThat(late.data()).containsExactly("a|SNAPSHOT|a1", "b|SNAPSHOT|b0");
    }

    /** Reads the engine's stats from another thread: blocks for good if this thread holds the engine's lock. */
    private void probe(String what) {
        called.add(what);
        StatusStream<String, String> engine = stream;
        if (engine == null) {
            return;
        }
        try {
            otherThread.submit(engine::stats).get(5, TimeUnit.SECONDS);
        } catch (TimeoutException lockHeld) {
            calledUnderLock.add(what);
        } catch (Exception unexpected) {
            throw new AssertionError(unexpected);
        }
    }

    private final class ProbingSink implements EventSink {
        private final RecordingSink delegate;

        ProbingSink(RecordingSink delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(Frames written) throws java.io.IOException {
            probe("sink");
            delegate.write(written);
        }

        @Override
        public void close(CloseReason reason) {
            probe("sink");
        }
    }
}
