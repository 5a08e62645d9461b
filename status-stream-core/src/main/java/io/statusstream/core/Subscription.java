package io.statusstream.core;

import java.util.Collection;
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
     * The keys still subscribed, without duplicates, in the order given; unmodifiable. Keys leave it only when they
     * are {@linkplain #revoke revoked}.
     *
     * @return the keys; empty only once every key was revoked
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

    /**
     * Takes keys away from the subscription: the client may no longer watch them. Each one still subscribed gets
     * one {@code revoked} event ({@link StateEvent.Kind#REVOKED}: no state, and no SSE id, so the client's last
     * event id stays as it was); its events not yet written are dropped, and nothing more of it is sent. If no key
     * is left, the stream is {@linkplain #end ended} with {@link EndReason#REVOKED}. Keys not subscribed are
     * ignored. Does not block: the events are written on a writer thread. The serializer is called for each revoked
     * key, on the calling thread, outside any lock.
     *
     * @param keys the keys to revoke, not {@code null}
     * @return the keys that were revoked by this call, in subscription order; unmodifiable
     */
    Set<K> revoke(Collection<? extends K> keys);

    /**
     * Ends the stream for good and tells the client why: what is queued is written, then
     * {@code event: end} with {@code data: {"reason":"<token>"}} ({@link EndReason#token()}), then the sink is closed
     * with {@link CloseReason#ENDED}. Nothing queued after this call is written. A subscription that has not started
     * (its first states are not known yet) is closed at once, without the event. Idempotent: the first reason wins.
     * Does not block.
     *
     * @param reason why, not {@code null}
     */
    void end(EndReason reason);

    /** Releases the subscription. The sink is not called again, {@link EventSink#close} included. Idempotent. */
    @Override
    void close();
}
