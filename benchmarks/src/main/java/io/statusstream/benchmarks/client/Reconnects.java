package io.statusstream.benchmarks.client;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where and when the load client's streams reconnect, and what it counts about it: each reconnection goes to an
 * instance drawn at random (a load balancer in front of the instances), and ends and reconnections are counted per
 * second since the runner's {@code MARK} (the restart), as histograms. Thread-safe.
 */
final class Reconnects {

    /** Seconds after the mark that the histograms cover; later ones land in the last bucket. */
    static final int SECONDS = 60;

    private final String[] instances;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "reconnects");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long markNanos = Long.MIN_VALUE;
    private final AtomicIntegerArray endsPerSecond = new AtomicIntegerArray(SECONDS);
    private final AtomicIntegerArray reconnectsPerSecond = new AtomicIntegerArray(SECONDS);
    private final AtomicLong ended = new AtomicLong();
    private final AtomicLong endEvents = new AtomicLong();
    private final AtomicLong reconnected = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** @param instances base URLs, such as {@code http://127.0.0.1:8081} */
    Reconnects(String[] instances) {
        this.instances = instances.clone();
    }

    String nextInstance() {
        return instances[ThreadLocalRandom.current().nextInt(instances.length)];
    }

    void schedule(Runnable reconnect, long delayMillis) {
        timer.schedule(reconnect, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }

    /** From now on ends and reconnections are counted per second since now. */
    void mark() {
        markNanos = System.nanoTime();
    }

    /** A stream's response ended; {@code endEvent}: with an {@code end} event before. */
    void ended(boolean endEvent) {
        ended.incrementAndGet();
        if (endEvent) {
            endEvents.incrementAndGet();
        }
        count(endsPerSecond);
    }

    /** A stream was opened again and its first line arrived. */
    void reconnected() {
        reconnected.incrementAndGet();
        count(reconnectsPerSecond);
    }

    /** A request was answered with this status instead of a stream ({@code -1}: it failed, e.g. refused). */
    void refused(int status) {
        (status < 0 ? failed : refused).incrementAndGet();
    }

    private void count(AtomicIntegerArray histogram) {
        long mark = markNanos;
        if (mark != Long.MIN_VALUE) {
            long second = (System.nanoTime() - mark) / 1_000_000_000L;
            histogram.incrementAndGet((int) Math.min(SECONDS - 1, second));
        }
    }

    /** The counts as {@code name=value} fields of the client's result line. */
    String fields() {
        return "responsesEnded=" + ended.get() + " endEvents=" + endEvents.get() + " reconnected=" + reconnected.get()
                + " refused=" + refused.get() + " failed=" + failed.get()
                + " endsPerSecond=" + csv(endsPerSecond) + " reconnectsPerSecond=" + csv(reconnectsPerSecond);
    }

    private static String csv(AtomicIntegerArray histogram) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < histogram.length(); i++) {
            text.append(i == 0 ? "" : ",").append(histogram.get(i));
        }
        return text.toString();
    }
}
