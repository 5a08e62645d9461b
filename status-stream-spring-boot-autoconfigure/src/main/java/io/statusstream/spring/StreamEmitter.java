package io.statusstream.spring;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.nio.charset.StandardCharsets;

/**
 * An {@link SseEmitter} with the headers a long-lived stream needs, set when Spring MVC starts the response:
 * the charset, no caching and no transformation by proxies (which also keeps compressing proxies from buffering),
 * and no buffering by nginx ({@code X-Accel-Buffering}).
 *
 * <p>It never times out: the servlet container's async timeout (30 s on Tomcat unless configured) would otherwise
 * cut every stream; dead clients are found by heartbeats instead.
 */
final class StreamEmitter extends SseEmitter {

    static final MediaType EVENT_STREAM_UTF8 = new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8);

    /** A servlet async timeout of zero or less means none. */
    private static final long NO_TIMEOUT = 0L;

    StreamEmitter() {
        super(NO_TIMEOUT);
    }

    @Override
    protected void extendResponse(ServerHttpResponse outputMessage) {
        setStreamHeaders(outputMessage.getHeaders());
        super.extendResponse(outputMessage);
    }

    /** The headers of every stream response; a {@code HEAD} request gets the same. */
    static void setStreamHeaders(HttpHeaders headers) {
        headers.setContentType(EVENT_STREAM_UTF8);
        headers.setCacheControl("no-cache, no-transform");
        headers.set("X-Accel-Buffering", "no");
    }
}
