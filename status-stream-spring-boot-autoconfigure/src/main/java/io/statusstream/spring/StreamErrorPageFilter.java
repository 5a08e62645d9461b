package io.statusstream.spring;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Keeps the servlet container from rendering its error page into a stream that has started. When a write to a
 * stream fails because the client reset the connection, the container records the failure and, after the async
 * dispatch, renders the application's error page for it — included into the committed event stream, where Spring
 * Boot's error controller cannot write its body ({@code HttpMessageNotWritableException: No converter ... with
 * preset Content-Type 'text/event-stream'}, logged at {@code WARN}) and where nobody would read it. A disconnect is
 * how every stream ends: it is logged at {@code DEBUG} instead.
 *
 * <p>It acts only on error dispatches of requests a status-stream endpoint took ({@link #STREAM_REQUEST}) whose
 * response is committed; every other request passes untouched. Thread-safe: stateless.
 */
final class StreamErrorPageFilter implements Filter {

    /** Request attribute naming the stream that took the request; survives the request's later dispatches. */
    static final String STREAM_REQUEST = StreamErrorPageFilter.class.getName() + ".stream";

    private static final Logger LOG = System.getLogger(StreamErrorPageFilter.class.getName());

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Object stream = request.getAttribute(STREAM_REQUEST);
        if (stream != null && response.isCommitted() && isErrorPage(request)) {
            LOG.log(Level.DEBUG, () -> "Status stream '" + stream + "': client gone ("
                    + request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) + "), no error page rendered");
            return;
        }
        chain.doFilter(request, response);
    }

    /** Forwarded to the error page, or (the response being committed) the error page included. */
    private static boolean isErrorPage(ServletRequest request) {
        return request.getDispatcherType() == DispatcherType.ERROR
                || request.getDispatcherType() == DispatcherType.INCLUDE
                && request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) != null;
    }
}
