package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * How frames reach transports: runs subscribers' drains and sinks' closes on the writer executor, never on the
 * caller's thread unless the executor itself runs tasks inline.
 *
 * <p><b>Writer model.</b> A write may block on a client that does not read; it then holds the thread it runs on, so
 * stuck clients must not be able to take every thread that healthy clients need:
 * <ul>
 *   <li>On Java 21+ the default executor starts a virtual thread per drain: a blocked write parks its virtual thread
 *       and costs no platform thread (where the transport blocks without pinning its carrier).</li>
 *   <li>On Java 17 the default is a {@link StallCompensatingPool}: {@value StallCompensatingPool#BASE_THREADS}
 *       platform threads, plus one more for every write that has been blocked longer than
 *       {@link StallCompensatingPool#STALL_NANOS}, checked every {@link #STALL_CHECK}. Healthy clients therefore
 *       always have {@value StallCompensatingPool#BASE_THREADS} threads, and a fan-out burst never starts more than
 *       that; a stuck client costs one parked thread until its blocked write returns or fails (the transport's
 *       write timeout), even after the engine cut it.</li>
 *   <li>A user's executor is used as given: it is the user's choice how it grows. It must throw when it refuses a
 *       task ({@link RejectedExecutionException}, the default policy): a task it drops silently leaves its
 *       subscriber waiting until it is cut as stuck.</li>
 * </ul>
 *
 * <p>Thread-safe. A task the executor refuses by throwing costs only its subscriber: its drain is retried at the
 * next heartbeat tick or offer.
 */
final class Writers {

    /** How often blocked writes are looked for, when the pool compensates for them. */
    static final Duration STALL_CHECK = Duration.ofMillis(250);

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private final String name;
    private final Executor executor;
    private final ExecutorService owned;
    private final StallCompensatingPool compensating;

    private Writers(String name, Executor executor, ExecutorService owned, StallCompensatingPool compensating) {
        this.name = name;
        this.executor = executor;
        this.owned = owned;
        this.compensating = compensating;
    }

    /** The user's executor, not owned: never shut down here. */
    static Writers using(String name, Executor executor) {
        return new Writers(name, executor, null, null);
    }

    /** Virtual threads where the runtime has them (Java 21+), else a stall-compensating platform pool; owned. */
    static Writers createDefault(String name, LongSupplier clock) {
        ExecutorService virtual = virtualThreadPerTask();
        if (virtual != null) {
            return new Writers(name, virtual, virtual, null);
        }
        StallCompensatingPool pool = new StallCompensatingPool(name + "-writer-", clock);
        return new Writers(name, pool, pool, pool);
    }

    /** Whether {@link #checkStalls} has anything to do: the pool is the default platform one. */
    boolean compensatesStalls() {
        return compensating != null;
    }

    /** Adds a thread for every write blocked past the stall threshold, and retires them once they return. */
    void checkStalls() {
        if (compensating != null) {
            compensating.compensate();
        }
    }

    /** Threads of the default platform pool now, or {@code -1} for another executor. */
    int poolSize() {
        return compensating == null ? -1 : compensating.getPoolSize();
    }

    /** Starts the subscriber's drain; a refusal leaves its work queued for the next try. */
    void drain(Subscriber<?, ?> subscriber) {
        try {
            executor.execute(subscriber::drain);
        } catch (RejectedExecutionException refused) {
            subscriber.drainRefused();
            LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': writer executor refused a drain of "
                    + subscriber + ": " + refused);
        } catch (RuntimeException | Error executorFailed) {
            // An Error too (a thread that could not be started): the drain is retried, the rest of the fan-out goes on.
            subscriber.drainRefused();
            LOG.log(Level.WARNING, "Status stream '" + name + "': the writer executor failed", executorFailed);
        }
    }

    /** Completes a sink the engine ended; a sink that throws is logged, a refused task dropped (shutting down). */
    void close(EventSink sink, CloseReason reason) {
        Runnable close = () -> {
            try {
                sink.close(reason);
            } catch (RuntimeException failure) {
                LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': a sink failed to close", failure);
            }
        };
        try {
            executor.execute(close);
        } catch (RuntimeException refused) {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': writer executor refused a close: " + refused);
        }
    }

    /** Shuts down an owned executor; running writes finish or fail on their own. */
    void shutdown() {
        if (owned != null) {
            owned.shutdown();
        }
    }

    private static ExecutorService virtualThreadPerTask() {
        try {
            return (ExecutorService) MethodHandles.publicLookup()
                    .findStatic(java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor",
                            MethodType.methodType(ExecutorService.class))
                    .invoke();
        } catch (Throwable notOnThisRuntime) {
            return null;
        }
    }
}
