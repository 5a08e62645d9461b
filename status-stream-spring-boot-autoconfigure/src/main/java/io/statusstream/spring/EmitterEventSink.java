package io.statusstream.spring;

import io.statusstream.core.CloseReason;
import io.statusstream.core.EventSink;
import io.statusstream.core.Frames;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter.DataWithMediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes the engine's already-encoded frames through an {@link SseEmitter} as they are: each write is one item,
 * the {@link Frames} themselves, which {@link FramesHttpMessageConverter} writes byte for byte (the bytes every
 * subscriber shares), followed by the emitter's one flush. (Sending them as {@code send(Object)} would wrap them in
 * another {@code data:} field.) Frames sent before Spring MVC has started the response are buffered by the emitter
 * and written when it starts.
 *
 * <p>Thread-safety: the engine never writes concurrently to one sink; {@link #close} may run during a write (a
 * stuck client). The emitter's completion takes the lock a blocked write holds, so a close during a write is
 * deferred to the end of that write instead of blocking the closing thread; the servlet container's write timeout
 * bounds how long that is.
 */
final class EmitterEventSink implements EventSink {

    private final SseEmitter emitter;
    private final Runnable closedByEngine;
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile boolean writing;
    private volatile boolean closeRequested;

    /**
     * @param emitter        the response
     * @param closedByEngine run when the engine ends the subscriber, before the response is completed
     */
    EmitterEventSink(SseEmitter emitter, Runnable closedByEngine) {
        this.emitter = emitter;
        this.closedByEngine = closedByEngine;
    }

    @Override
    public void write(Frames frames) throws IOException {
        writing = true;
        try {
            emitter.send(Set.of(new DataWithMediaType(frames, StreamAdmission.EVENT_STREAM_UTF8)));
        } catch (IllegalStateException completedOrFailed) {
            // The emitter was completed (client gone, request timed out or ended): for the engine that is a failed write.
            throw new IOException("the stream's response is no longer open", completedOrFailed);
        } finally {
            writing = false;
            if (closeRequested) {
                complete();
            }
        }
    }

    @Override
    public void close(CloseReason reason) {
        closedByEngine.run();
        closeRequested = true;
        if (!writing) {
            complete();
        }
    }

    private void complete() {
        if (completed.compareAndSet(false, true)) {
            try {
                emitter.complete();
            } catch (RuntimeException alreadyGone) {
                // The response already ended; nothing is left to complete.
            }
        }
    }
}
