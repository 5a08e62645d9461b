package io.statusstream.core;

import io.statusstream.core.testing.ManualStreamScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One poll of a full batch of watched keys, of which a given share changed: compare every fetched state with the
 * last one (record {@code equals}), encode and publish the changes. The source answers from memory, so this is the
 * engine's cost per batch, without the database.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChangeDetectionBenchmark {

    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int BATCH = StatusStreamBuilder.DEFAULT_BATCH_SIZE;

    /** Percentage of the batch that changed since the previous poll. */
    @Param({"0", "10", "100"})
    public int changedPercent;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final Map<Long, Row> rows = new HashMap<>();
    private final Counting sink = new Counting();
    private StatusStream<Long, Row> stream;
    private long round;

    @Setup(Level.Trial)
    public void watchOneBatch() {
        List<Long> keys = new ArrayList<>(BATCH);
        for (long key = 1; key <= BATCH; key++) {
            rows.put(key, new Row(key, "RUNNING", 0));
            keys.add(key);
        }
        stream = StatusStream.<Long, Row>builder(wanted -> rows)
                .pollInterval(INTERVAL)
                .heartbeatInterval(Duration.ofDays(1))
                .scheduler(scheduler)
                .writerExecutor(Runnable::run)
                .build();
        stream.subscribe(keys, null, sink);
        scheduler.runDue();
    }

    @TearDown(Level.Trial)
    public void close() {
        stream.close();
    }

    @Benchmark
    public long pollOneBatch() {
        round++;
        int changed = BATCH * changedPercent / 100;
        for (long key = 1; key <= changed; key++) {
            rows.put(key, new Row(key, "RUNNING", round));
        }
        scheduler.advance(INTERVAL);
        return sink.writes;
    }

    /** A typical state: a record whose {@code equals} compares every field. */
    record Row(long id, String status, long version) {
    }

    /** Counts writes; written by the benchmark thread only. */
    static final class Counting implements EventSink {
        long writes;

        @Override
        public void write(Frames frames) {
            writes++;
        }

        @Override
        public void close(CloseReason reason) {
        }
    }
}
