package io.statusstream.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an application's own Spring Security filter chain needs to know about the streams: which requests are stream
 * requests, and how to refuse one without a login. Declared by the starter when Spring Security (servlet) is present;
 * inject it into the configuration that builds your {@code SecurityFilterChain}:
 *
 * <pre>{@code
 * http.exceptionHandling(exceptions -> exceptions
 *         .defaultAuthenticationEntryPointFor(streams.authenticationEntryPoint(), streams.streamRequests()));
 * }</pre>
 *
 * <p>Without this, an anonymous {@code EventSource} request gets whatever the chain's login answers, typically a
 * redirect to the login page: the browser follows it and downloads the login page (an HTML page, not
 * {@code text/event-stream}) on every retry, and monitoring sees 302s and 200s where access was refused. With it, the
 * stream answers 401 with a few bytes, the {@code EventSource} fails at once, and the status-stream client backs off
 * between its retries ({@code EventSource} shows a page no status code, so the client cannot tell a 401 from
 * other refusals).
 *
 * <p>Immutable; thread-safe. The matcher and the entry point are the same instances on every call.
 */
public final class StatusStreamSecurity {

    /** Where the starter serves its JavaScript client, relative to the application's root. */
    public static final String CLIENT_PATH = "/status-stream/status-stream.js";

    private final RequestMatcher streamRequests;
    private final RequestMatcher clientRequests;
    private final AuthenticationEntryPoint authenticationEntryPoint;

    /**
     * @param mapping the stream endpoints, whose registered patterns the stream matcher matches
     * @param paths   builds path matchers the way the application's chain does (servlet path included)
     */
    StatusStreamSecurity(StatusStreamHandlerMapping mapping, PathPatternRequestMatcher.Builder paths) {
        List<RequestMatcher> streams = new ArrayList<>();
        for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                streams.add(paths.matcher(pattern));
            }
        }
        this.streamRequests = streams.isEmpty() ? request -> false : new OrRequestMatcher(streams);
        this.clientRequests = paths.matcher(CLIENT_PATH);
        this.authenticationEntryPoint = new UnauthorizedEntryPoint(ProblemResponses.SESSION_CHALLENGE);
    }

    /**
     * Matches every stream URL of every {@link StreamDefinition} (single key and multi key, any method), and nothing
     * else. Use it to answer stream requests without a login with {@link #authenticationEntryPoint()}, or to exempt
     * the streams from rules meant for pages.
     *
     * @return the matcher; never {@code null}
     */
    public RequestMatcher streamRequests() {
        return streamRequests;
    }

    /**
     * Matches the request for the JavaScript client ({@link #CLIENT_PATH}) only. The starter's own filter chain
     * (property {@code status-stream.security.permit-client}) lets everyone fetch it; an application that turns that
     * chain off can permit this matcher in its own.
     *
     * @return the matcher; never {@code null}
     */
    public RequestMatcher clientRequests() {
        return clientRequests;
    }

    /**
     * Answers 401 with a problem body and {@code WWW-Authenticate: Session}: a challenge no browser answers with a
     * login dialog (as it would {@code Basic}), telling the client to sign in through the application and reconnect.
     *
     * <p>Spring Security makes the first entry point registered with
     * {@code defaultAuthenticationEntryPointFor} also the answer for requests that no registered matcher claims (such
     * as a non-HTML, non-JSON request for a page); this one says only that authentication is required, which is true
     * for those too.
     *
     * @return the entry point; never {@code null}
     */
    public AuthenticationEntryPoint authenticationEntryPoint() {
        return authenticationEntryPoint;
    }

    @Override
    public String toString() {
        return "StatusStreamSecurity[" + streamRequests + "]";
    }

    /** 401, a challenge and a problem body; stateless. */
    private static final class UnauthorizedEntryPoint implements AuthenticationEntryPoint {

        private final String challenge;

        UnauthorizedEntryPoint(String challenge) {
            this.challenge = Objects.requireNonNull(challenge, "challenge");
        }

        @Override
        public void commence(HttpServletRequest request, HttpServletResponse response,
                             AuthenticationException authException) throws IOException {
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            byte[] body = ProblemResponses.json(HttpStatus.UNAUTHORIZED, "authentication required: sign in, then"
                    + " reconnect").getBytes(StandardCharsets.US_ASCII);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }

        @Override
        public String toString() {
            return "401 with WWW-Authenticate: " + challenge;
        }
    }
}
