package io.statusstream.spring;

import io.statusstream.core.CloseReason;
import io.statusstream.core.EventSink;
import io.statusstream.core.Frames;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.function.Supplier;

/**
 * One stream's response on Spring WebFlux, and the engine's sink into it: the engine's frames become the groups of a
 * {@code writeAndFlushWith} body, each written and flushed on its own, the bytes every subscriber shares wrapped, not
 * copied ({@link Frames#byteBuffers()}).
 *
 * <p>Nothing here blocks an event-loop thread. The engine writes from its writer threads, one write at a time per
 * sink; a write hands its frames over and returns, and only the next write waits, on the writer's thread, until the
 * server has taken the previous one (a slow client's socket and Netty's outbound buffer are full). So at most one
 * write per stream is in flight, a slow client holds its own writer and no memory beyond one write, and the engine's
 * stuck-client timeout finds a client that takes nothing: it {@linkplain #close closes} the sink with
 * {@link CloseReason#STUCK}, which aborts the connection (the pending write cannot be completed). Any other close
 * completes the response after the frames handed over before it (an {@code end} event, for one).
 *
 * <p>The response ends, and with it the subscription ({@code ended}), when the client goes away (the server cancels
 * the body), the body fails or it completes. Thread-safe: the write state is guarded by this object's monitor, which
 * is never held while Reactor's sink is called; the sink's emissions are serialized by retrying the rare one that
 * races another ({@link Sinks.EmitResult#FAIL_NON_SERIALIZED}).
 */
final class ReactiveStream implements EventSink {

    private final Sinks.Many<Frames> writes = Sinks.many().unicast().onBackpressureBuffer(Queues.<Frames>one().get());
    private final Runnable ended;
    private final Runnable abort;
    private volatile Runnable closedByEngine = () -> {
    };
    /** A write was handed over and the server has not taken it yet. */
    private boolean inFlight;
    /** The engine closed the sink, or the response ended: no more writes. */
    private boolean closed;

    /**
     * @param ended run once when the response has ended, for any reason
     * @param abort closes the connection of a stuck client (its response cannot end normally)
     */
    ReactiveStream(Runnable ended, Runnable abort) {
        this.ended = ended;
        this.abort = abort;
    }

    /** The sink, which runs {@code closedByEngine} when the engine ends the subscriber, before ending the response. */
    EventSink sink(Runnable closedByEngine) {
        this.closedByEngine = closedByEngine;
        return this;
    }

    /**
     * The response's body: each group one write's frames, followed by a flush. Subscribed once, by the server.
     *
     * @param buffers the response's buffer factory
     */
    Flux<Publisher<DataBuffer>> body(DataBufferFactory buffers) {
        return writes.asFlux()
                .<Publisher<DataBuffer>>map(frames -> Flux.fromIterable(frames.byteBuffers()).<DataBuffer>map(buffers::wrap)
                        .doFinally(signal -> taken()))
                .doFinally(signal -> responseEnded());
    }

    @Override
    public void write(Frames frames) throws IOException {
        synchronized (this) {
            awaitTurn();
            inFlight = true;
        }
        // Outside the monitor: the emission may run Reactor Netty's subscriber on this thread.
        Sinks.EmitResult result = serialized(() -> writes.tryEmitNext(frames));
        if (result.isFailure()) {
            taken();
            throw new IOException("the stream's response is no longer open (" + result + ")");
        }
    }

    private void awaitTurn() throws IOException {
        try {
            while (inFlight && !closed) {
                wait();
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the client took the previous write");
        }
        if (closed) {
            throw new IOException("the stream's response is no longer open");
        }
    }

    @Override
    public void close(CloseReason reason) {
        closedByEngine.run();
        boolean stuck;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
            stuck = inFlight && reason == CloseReason.STUCK;
        }
        if (stuck) {
            abort.run();
            return;
        }
        // A failure means the client went away or the body failed meanwhile: the response has ended already.
        serialized(writes::tryEmitComplete);
    }

    /**
     * An emission, tried again while another thread emits into the sink at the same moment (a write racing the
     * close: both are short hand-overs); any other result is returned as it is.
     */
    private static Sinks.EmitResult serialized(Supplier<Sinks.EmitResult> emission) {
        Sinks.EmitResult result;
        while ((result = emission.get()) == Sinks.EmitResult.FAIL_NON_SERIALIZED) {
            Thread.onSpinWait();
        }
        return result;
    }

    private synchronized void taken() {
        inFlight = false;
        notifyAll();
    }

    private void responseEnded() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        ended.run();
    }
}
