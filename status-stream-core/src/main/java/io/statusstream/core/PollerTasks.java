package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Runs the engine's work on its {@link StreamScheduler}, one task at a time: every task is guarded, so a failure that
 * escapes it — an {@link Error} from a source, a bug — is logged instead of vanishing into the scheduler, and a
 * periodic task is always scheduled again while the engine is open.
 *
 * <p>Thread-safe: tasks may be submitted from any thread.
 */
final class PollerTasks {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private final String name;
    private final StreamScheduler scheduler;
    private final BooleanSupplier closed;

    PollerTasks(String name, StreamScheduler scheduler, BooleanSupplier closed) {
        this.name = name;
        this.scheduler = scheduler;
        this.closed = closed;
    }

    long nanoTime() {
        return scheduler.nanoTime();
    }

    /** Runs a task on the poller as soon as it is free; nothing once the engine is closed. */
    void runSoon(Runnable task) {
        if (!closed.getAsBoolean()) {
            scheduler.schedule(() -> guarded(task), Duration.ZERO);
        }
    }

    /**
     * Runs {@code task} after {@code firstDelay}, then again after the delay each run returns, until the engine
     * closes; a run that throws is logged and followed by the next after {@code fallbackDelay}.
     *
     * @return a handle that stops the repetition
     */
    Repeating repeat(LongSupplier task, Duration firstDelay, Duration fallbackDelay) {
        Repeating repeating = new Repeating(task, fallbackDelay.toNanos());
        repeating.scheduleAfter(firstDelay.toNanos());
        return repeating;
    }

    private void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error unexpected) {
            LOG.log(Level.ERROR, "Status stream '" + name + "': unexpected failure in its poller", unexpected);
        }
    }

    /** A task that schedules itself again; cancelled by {@link #cancel()}. */
    final class Repeating {

        private final LongSupplier task;
        private final long fallbackNanos;
        private volatile boolean cancelled;
        private volatile StreamScheduler.Cancellable next;

        private Repeating(LongSupplier task, long fallbackNanos) {
            this.task = task;
            this.fallbackNanos = fallbackNanos;
        }

        private void run() {
            long delay = fallbackNanos;
            try {
                if (closed.getAsBoolean() || cancelled) {
                    return;
                }
                delay = task.getAsLong();
            } catch (RuntimeException | Error unexpected) {
                LOG.log(Level.ERROR, "Status stream '" + name + "': unexpected failure in its poller", unexpected);
            }
            scheduleAfter(delay);
        }

        private void scheduleAfter(long delayNanos) {
            if (!closed.getAsBoolean() && !cancelled) {
                next = scheduler.schedule(this::run, Duration.ofNanos(delayNanos));
            }
        }

        void cancel() {
            cancelled = true;
            StreamScheduler.Cancellable scheduled = next;
            if (scheduled != null) {
                scheduled.cancel();
            }
        }
    }
}
