package io.statusstream.core;

import java.util.Collection;

/**
 * A source of push hints: "these keys may have changed, poll them now". A database trigger with PostgreSQL
 * {@code LISTEN/NOTIFY}, a message broker, the host application after its own write.
 *
 * <p>Hints only make changes arrive sooner: the engine's periodic poll stays the safety net, and a hint never
 * carries state. So a notifier may drop, duplicate or reorder hints without harm, except that after it may have
 * missed some (a reconnect, an overflow) it must call {@link Listener#resync()} so the engine polls every key.
 *
 * <p>The engine calls {@link #start} once when it starts and {@link #close} once when it closes. Implementations
 * usually own a thread or a connection; they may call the listener from any thread, concurrently.
 *
 * @param <K> key type of the engine it feeds
 */
public interface ChangeNotifier<K> extends AutoCloseable {

    /**
     * Starts delivering hints to the listener. Must not block for long; connect in the background.
     *
     * @param listener the engine's listener, never {@code null}; thread-safe and non-blocking
     */
    void start(Listener<K> listener);

    /** Stops delivering hints and releases connections and threads. Idempotent; does not throw. */
    @Override
    void close();

    /**
     * Whether every instance of the application receives the same hints, as every listener of a database channel
     * does. In cluster mode ({@link StreamCluster}) the hints of a broadcast notifier are then acted on only by the
     * instance that polls for the cluster, instead of each instance passing the same hint on to it. Default
     * {@code false}: hints are local to the instance that receives them (its own writes, say) and always reach the
     * cluster's poller.
     *
     * @return {@code true} if every instance receives the same hints, so only the cluster's poller acts on them
     */
    default boolean broadcast() {
        return false;
    }

    /**
     * The engine's side of a notifier. Thread-safe, non-blocking: calls only schedule work on the poller.
     *
     * @param <K> key type
     */
    interface Listener<K> {

        /**
         * These keys may have changed: poll them now. Keys nobody watches are ignored. Hints arriving close together
         * coalesce into one fetch.
         *
         * @param keys never {@code null}; may contain duplicates
         */
        void keysChanged(Collection<? extends K> keys);

        /** Hints may have been missed (the notifier reconnected): poll every watched key now. */
        void resync();
    }

    /**
     * A notifier that never hints; the engine relies on its periodic poll alone.
     *
     * @param <K> key type
     * @return a stateless notifier whose {@code start} and {@code close} do nothing
     */
    static <K> ChangeNotifier<K> none() {
        return new ChangeNotifier<>() {
            @Override
            public void start(Listener<K> listener) {
            }

            @Override
            public void close() {
            }

            @Override
            public String toString() {
                return "ChangeNotifier.none()";
            }
        };
    }
}
