package io.statusstream.spring;

import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An {@link SseEmitter} with the headers a long-lived stream needs ({@link StreamAdmission#setStreamHeaders}), set
 * when Spring MVC starts the response.
 *
 * <p>It never times out: the servlet container's async timeout (30 s on Tomcat unless configured) would otherwise
 * cut every stream; dead clients are found by heartbeats instead.
 */
final class StreamEmitter extends SseEmitter {

    /** A servlet async timeout of zero or less means none. */
    private static final long NO_TIMEOUT = 0L;

    StreamEmitter() {
        super(NO_TIMEOUT);
    }

    @Override
    protected void extendResponse(ServerHttpResponse outputMessage) {
        StreamAdmission.setStreamHeaders(outputMessage.getHeaders());
        super.extendResponse(outputMessage);
    }
}
