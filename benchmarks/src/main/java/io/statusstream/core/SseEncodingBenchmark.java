package io.statusstream.core;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Encoding one event as a {@code text/event-stream} frame, once per change (the frame is shared by every subscriber
 * of the key). In package {@code io.statusstream.core} to reach the package-private {@link SseFrames}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SseEncodingBenchmark {

    /** The seed's payload size: about 250 bytes of JSON on one line. */
    private final String data = "{\"key\":\"4711\",\"kind\":\"change\",\"state\":{\"id\":4711,\"status\":\"RUNNING\","
            + "\"inPosition\":true,\"entryPrice\":64210.55,\"dailyPnl\":-12.75,\"tradesToday\":17,"
            + "\"version\":123456,\"writtenAtMicros\":1764000000000000,\"symbol\":\"BTCUSDT\",\"note\":\"ok\"}}";
    private final String id = "1k2v9x0qz3a5b-123456";

    @Benchmark
    public String encodeOneLineEvent() {
        return SseFrames.event(id, data);
    }
}
