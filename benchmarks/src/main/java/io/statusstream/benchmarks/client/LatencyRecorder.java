package io.statusstream.benchmarks.client;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * Change-to-client latencies: receive time (wall clock, microseconds) minus the write time stored in the row, for
 * every change event received between {@link #start} and {@link #stop}. Server, client and writer share the
 * machine's clock. Thread-safe (synchronized; recording is a few nanoseconds next to parsing a line).
 */
final class LatencyRecorder {

    private long[] samples = new long[1 << 16];
    private int size;
    private volatile boolean recording;
    private long startNanos;
    private long stopNanos;

    synchronized void start() {
        startNanos = System.nanoTime();
        recording = true;
    }

    synchronized void stop() {
        if (recording) {
            stopNanos = System.nanoTime();
            recording = false;
        }
    }

    void record(long writtenAtMicros) {
        if (!recording || writtenAtMicros <= 0) {
            return;
        }
        long latency = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) - writtenAtMicros;
        synchronized (this) {
            if (size == samples.length) {
                samples = Arrays.copyOf(samples, size * 2);
            }
            samples[size++] = latency;
        }
    }

    synchronized Summary summary() {
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        return new Summary(size, (stopNanos - startNanos) / 1_000_000, size, percentile(sorted, 0.50),
                percentile(sorted, 0.99), size == 0 ? -1 : sorted[size - 1]);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    /** Events are the change events received in the window; each is one latency sample. */
    record Summary(long events, long windowMillis, long samples, long p50Micros, long p99Micros, long maxMicros) {
    }
}
