package io.statusstream.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The default writer pool on Java 17: {@link #BASE_THREADS} daemon threads that take drains from an unbounded queue
 * (at most one queued drain per subscriber), plus one thread for each task that has run longer than
 * {@link #STALL_NANOS} — a write blocked on a client that does not read. Once such a task returns (the client
 * read, or was cut and the write failed), the extra thread retires when next idle.
 *
 * <p>So a fan-out burst to thousands of subscribers runs on {@link #BASE_THREADS} threads, and however many clients
 * are stuck, the others always have {@link #BASE_THREADS} threads that are not. Task start times come from the
 * engine's clock, so tests drive stalls with a manual clock. Thread-safe; {@link #compensate()} is called
 * periodically by the engine's poller.
 */
final class StallCompensatingPool extends ThreadPoolExecutor {

    /** Threads for healthy writes. */
    static final int BASE_THREADS = 64;
    /** A task running longer than this is taken to be a write blocked on its client. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** However many clients are stuck, no more threads than this. */
    static final int MAX_THREADS = 20_000;

    private final LongSupplier clock;
    private final Map<Thread, Long> runningSince = new ConcurrentHashMap<>();
    /** When {@link #compensate()} last ran, so that {@link #execute} runs it when the poller cannot. */
    private volatile long compensatedAt;

    StallCompensatingPool(String threadNamePrefix, LongSupplier clock) {
        super(BASE_THREADS, BASE_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemons(threadNamePrefix));
        this.clock = clock;
        allowCoreThreadTimeOut(true);
    }

    /**
     * Queues the task; with work already waiting, compensates for stalls now if the poller has not for a while
     * (it may be blocked in a slow source), so drains submitted by request threads do not wait behind stuck writes.
     */
    @Override
    public void execute(Runnable task) {
        super.execute(task);
        if (!getQueue().isEmpty() && clock.getAsLong() - compensatedAt >= STALL_NANOS) {
            compensate();
        }
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable task) {
        runningSince.put(thread, clock.getAsLong());
    }

    @Override
    protected void afterExecute(Runnable task, Throwable failure) {
        runningSince.remove(Thread.currentThread());
    }

    /** Sizes the pool to {@link #BASE_THREADS} plus the tasks stalled now. */
    synchronized void compensate() {
        long now = clock.getAsLong();
        compensatedAt = now;
        int stalled = 0;
        for (long since : runningSince.values()) {
            if (now - since >= STALL_NANOS) {
                stalled++;
            }
        }
        int target = Math.min(MAX_THREADS, BASE_THREADS + stalled);
        int current = getCorePoolSize();
        if (target > current) {
            setMaximumPoolSize(target);
            setCorePoolSize(target);
        } else if (target < current) {
            setCorePoolSize(target);
            setMaximumPoolSize(target);
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
