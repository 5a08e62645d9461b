package io.statusstream.core;

/**
 * Thrown by {@link StatusStream#subscribe} once the stream is closed (the application is shutting down), so a
 * transport can tell "come back later" (a 503) apart from a failure of its own code.
 */
public final class StreamClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    StreamClosedException(String streamName) {
        super("status stream '" + streamName + "' is closed");
    }
}
