package io.statusstream.core;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * One client's subscription to a set of keys, returned by {@link StatusStream#subscribe}.
 *
 * <p>Thread-safe. Closing is idempotent and releases the client's share of every key.
 *
 * @param <K> key type
 */
public interface Subscription<K> extends AutoCloseable {

    /**
     * The subscribed keys, without duplicates, in the order given; unmodifiable.
     *
     * @return the keys, never empty
     */
    Set<K> keys();

    /**
     * Completes once the current state of every key is known (at once for watched keys, after the first fetch for
     * new ones), with the keys that do not exist in the source, empty if all exist. A transport uses it to answer
     * 404 before it commits the stream's headers. It completes on a writer thread, never on the poller; if the
     * source is down it completes when the source is back. If the subscription is closed first, it completes
     * exceptionally with a {@link java.util.concurrent.CancellationException}.
     *
     * @return a stage completing with the absent keys, as an unmodifiable set in subscription order
     */
    CompletionStage<Set<K>> ready();

    /**
     * Whether the subscription is still open: neither closed by the caller nor by the engine.
     *
     * @return {@code false} once the caller or the engine closed it
     */
    boolean isOpen();

    /**
     * Writes a heartbeat to the client soon, on a writer thread, however recently something was written; nothing if
     * the subscription has not started or is closed. For a transport that cannot learn by itself that its client
     * left: a write to a connection the client closed fails (over TCP at the latest the second write after the close,
     * once the client's reset has come back), and a failed write ends the subscription as usual. Does not block.
     */
    void probe();

    /** Releases the subscription. The sink is not called again, {@link EventSink#close} included. Idempotent. */
    @Override
    void close();
}
