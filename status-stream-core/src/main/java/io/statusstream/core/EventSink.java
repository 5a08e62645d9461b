package io.statusstream.core;

import java.io.IOException;

/**
 * The transport side of one subscriber: a servlet response, an {@code SseEmitter}, a socket.
 *
 * <p>The engine writes complete, already-encoded {@code text/event-stream} frames, as UTF-8 bytes shared by every
 * subscriber ({@link Frames}); several events queued for one subscriber go out in one write. For one sink, {@link #write}
 * is never called concurrently, and always from a writer thread, never from the poller. A write may block on a slow
 * socket: it holds only its writer thread, and a subscriber that makes no progress for the stuck-client timeout is
 * closed.
 */
public interface EventSink {

    /**
     * Writes one or more complete frames and flushes them to the client.
     *
     * @param frames {@code text/event-stream} frames, never empty; their bytes are shared with other subscribers
     * @throws IOException if the client is gone; the engine then releases the subscription and calls
     *                     {@link #close(CloseReason)} with {@link CloseReason#WRITE_FAILED}
     */
    void write(Frames frames) throws IOException;

    /**
     * The engine ended this subscriber: complete the response. Called at most once, on a writer thread, and not
     * when the subscription was closed by its owner. It may run while a {@link #write} is blocked on a stuck
     * client (that is how stuck clients are cut), so it must be safe to call then; it should not throw.
     *
     * @param reason why, never {@code null}
     */
    void close(CloseReason reason);
}
