package io.statusstream.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Coalesces hints that keys may have changed — {@code touch}, a notifier's hints, hints the cluster passes to its
 * leader — into one task on the poller: hints that arrive before the task runs join it, and a hint for every key
 * ({@link #hintAll()}) absorbs the others.
 *
 * <p>Thread-safe: hints come from any thread; the handler runs on the poller, given either the hinted keys or
 * {@link Hint#all()}.
 */
final class HintCoalescer<K> {

    private final Set<K> keys = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean all = new AtomicBoolean();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final PollerTasks poller;
    private final Consumer<Hint<K>> handler;

    HintCoalescer(PollerTasks poller, Consumer<Hint<K>> handler) {
        this.poller = poller;
        this.handler = handler;
    }

    /** These keys may have changed; {@code null} elements are ignored. */
    void hint(Collection<? extends K> hinted) {
        for (K key : hinted) {
            if (key != null) {
                keys.add(key);
            }
        }
        if (!keys.isEmpty()) {
            scheduleOnce();
        }
    }

    /** Any key may have changed. */
    void hintAll() {
        all.set(true);
        scheduleOnce();
    }

    private void scheduleOnce() {
        if (scheduled.compareAndSet(false, true)) {
            poller.runSoon(this::handle);
        }
    }

    private void handle() {
        scheduled.set(false);
        boolean everything = all.getAndSet(false);
        List<K> batch = new ArrayList<>(keys.size());
        for (Iterator<K> it = keys.iterator(); it.hasNext(); ) {
            batch.add(it.next());
            it.remove();
        }
        if (everything) {
            handler.accept(Hint.everyKey());
        } else if (!batch.isEmpty()) {
            handler.accept(new Hint<>(false, batch));
        }
    }

    /**
     * What the poller is asked to look at.
     *
     * @param all  every key
     * @param keys the hinted keys, when not {@code all}
     */
    record Hint<K>(boolean all, List<K> keys) {

        static <K> Hint<K> everyKey() {
            return new Hint<>(true, List.of());
        }
    }
}
