package io.statusstream.core;

/**
 * Why a stream was ended for good with an {@code end} event ({@link Subscription#end}), as its client is told:
 * {@code event: end}, {@code data: {"reason":"<token>"}}. A client stops on every reason but {@link #SHUTDOWN}.
 */
public enum EndReason {
    /** No key is left that the client may watch: access to the last one was taken back. */
    REVOKED("revoked"),
    /** The user logged out, or their session was invalidated. */
    LOGGED_OUT("logged-out"),
    /** The user's session or credentials expired. */
    EXPIRED("expired"),
    /** The server is going down; the client reconnects after the retry delay, possibly to another instance. */
    SHUTDOWN("shutdown");

    private final String token;

    EndReason(String token) {
        this.token = token;
    }

    /**
     * The reason as written in the {@code end} event.
     *
     * @return lower case, words joined by {@code -}
     */
    public String token() {
        return token;
    }
}
