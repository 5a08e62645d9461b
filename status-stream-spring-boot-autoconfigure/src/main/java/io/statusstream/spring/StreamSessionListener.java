package io.statusstream.spring;

import io.statusstream.core.EndReason;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;

/**
 * Ends the streams of an HTTP session when it ends: {@code expired} when it timed out, {@code logged-out} when it
 * was invalidated (a logout, with Spring Security or without). A stream's request does not keep its session alive:
 * only the application's other requests do. Registered with the servlet container by Spring Boot, as every
 * {@link HttpSessionListener} bean is. Thread-safe: stateless.
 */
final class StreamSessionListener implements HttpSessionListener {

    private final OpenStreams openStreams;

    StreamSessionListener(OpenStreams openStreams) {
        this.openStreams = openStreams;
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
        HttpSession session = event.getSession();
        openStreams.sessionEnded(session.getId(), timedOut(session) ? EndReason.EXPIRED : EndReason.LOGGED_OUT);
    }

    private static boolean timedOut(HttpSession session) {
        int maxInactiveSeconds = session.getMaxInactiveInterval();
        if (maxInactiveSeconds <= 0) {
            return false;
        }
        long idleMillis = System.currentTimeMillis() - session.getLastAccessedTime();
        return idleMillis >= maxInactiveSeconds * 1000L;
    }
}
