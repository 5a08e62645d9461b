package io.statusstream.core;

import io.statusstream.core.testing.ManualStreamScheduler;
import java.time.Duration;
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
 * One change of one key delivered to every subscriber of that key, through the public API: a poll that finds the
 * change, encodes it once, queues it for each subscriber and drains each queue into a sink that only counts. Writes
 * run on the calling thread (a direct writer executor), so the time is the engine's whole work per change, not
 * socket I/O.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBenchmark {

    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @Param({"1000", "10000"})
    public int subscribers;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final CountingSink sink = new CountingSink();
    private volatile long version;
    private StatusStream<Long, Long> stream;

    @Setup(Level.Trial)
    public void subscribeAll() {
        stream = StatusStream.<Long, Long>builder(keys -> Map.of(1L, version))
                .pollInterval(INTERVAL)
                .heartbeatInterval(Duration.ofDays(1))
                .scheduler(scheduler)
                .writerExecutor(Runnable::run)
                .build();
        for (int i = 0; i < subscribers; i++) {
            stream.subscribe(List.of(1L), null, sink);
        }
        scheduler.runDue();
    }

    @TearDown(Level.Trial)
    public void close() {
        stream.close();
    }

    /** @return frames written so far, so the work cannot be optimised away */
    @Benchmark
    public long oneChangeToAllSubscribers() {
        version++;
        scheduler.advance(INTERVAL);
        return sink.frames;
    }

    /** Counts frames; written by the benchmark thread only. */
    static final class CountingSink implements EventSink {
        long frames;

        @Override
        public void write(Frames frames) {
            this.frames++;
        }

        @Override
        public void close(CloseReason reason) {
        }
    }
}
