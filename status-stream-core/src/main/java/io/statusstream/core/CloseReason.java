package io.statusstream.core;

/** Why the engine ended a subscriber (see {@link EventSink#close(CloseReason)}). */
public enum CloseReason {
    /** The client made no progress for the stuck-client timeout: its socket does not drain. */
    STUCK,
    /** A write failed: the client is gone. */
    WRITE_FAILED,
    /** The stream was closed (application shutdown); clients should reconnect, possibly elsewhere. */
    SHUTDOWN,
    /** The subscription's owner closed it (client disconnect, request timeout). */
    CLOSED_BY_OWNER,
    /** The stream was ended with an {@code end} event ({@link Subscription#end}), written before the close. */
    ENDED
}
