package io.statusstream.core;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The waves of a drain ({@link StatusStream#drain}), a task of the poller: wave {@code i} of {@code n} runs
 * {@code i * period / n} after the start and ends its share of the subscribers, each told to come back after the
 * reconnect delay plus a random part of one wave's width, so that reconnections fall uniformly over the period. The
 * stream closes when the last of them is released after the last wave, or at the latest one period after the start,
 * when this task runs once more. Confined to the poller thread; {@link #lastWaveDone()} may be read anywhere.
 *
 * @param <K> key type
 * @param <S> state type
 */
final class DrainWaves<K, S> implements LongSupplier {

    private static final Logger LOG = System.getLogger(PollingStatusStream.class.getName());

    private final String streamName;
    private final List<Subscriber<K, S>> subscribers;
    private final int waves;
    private final long widthNanos;
    private final long reconnectDelayMillis;
    private final LongSupplier clock;
    private final long startNanos;
    private final BiConsumer<Subscriber<K, S>, Long> endWithRetry;
    private final IntSupplier openSubscribers;
    private final Runnable closeStream;
    private int wave;
    private volatile boolean lastWaveDone;

    /**
     * @param endWithRetry    ends one subscriber for the shutdown, with the given retry hint in milliseconds
     * @param openSubscribers how many subscribers the stream still has
     * @param closeStream     closes the stream
     */
    DrainWaves(String streamName, List<Subscriber<K, S>> subscribers, int waves, long periodNanos,
               long reconnectDelayMillis, LongSupplier clock, BiConsumer<Subscriber<K, S>, Long> endWithRetry,
               IntSupplier openSubscribers, Runnable closeStream) {
        this.streamName = streamName;
        this.subscribers = subscribers;
        this.waves = waves;
        this.widthNanos = periodNanos / waves;
        this.reconnectDelayMillis = reconnectDelayMillis;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.endWithRetry = endWithRetry;
        this.openSubscribers = openSubscribers;
        this.closeStream = closeStream;
    }

    /** Whether the last wave ran: from then on the stream closes once its last subscriber is released. */
    boolean lastWaveDone() {
        return lastWaveDone;
    }

    @Override
    public long getAsLong() {
        if (wave == waves) {
            closeStream.run();
            return widthNanos;
        }
        int from = (int) ((long) subscribers.size() * wave / waves);
        int to = (int) ((long) subscribers.size() * (wave + 1) / waves);
        long spreadMillis = Math.max(1, widthNanos / 1_000_000);
        for (Subscriber<K, S> subscriber : subscribers.subList(from, to)) {
            try {
                endWithRetry.accept(subscriber, reconnectDelayMillis + ThreadLocalRandom.current().nextLong(spreadMillis));
            } catch (RuntimeException failure) {
                LOG.log(Level.WARNING, "Status stream '" + streamName + "': ending " + subscriber
                        + " for the shutdown failed", failure);
            }
        }
        wave++;
        if (wave == waves) {
            lastWaveDone = true;
            if (openSubscribers.getAsInt() == 0) {
                closeStream.run();
            }
        }
        return Math.max(0, startNanos + wave * widthNanos - clock.getAsLong());
    }
}
