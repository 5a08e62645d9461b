package io.statusstream.spring;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The answers to stream requests refused before the stream starts: RFC 9457 problem details
 * ({@code application/problem+json}) with a title, the status and a detail for the developer, never a stack trace.
 *
 * <p>The JSON is written here, not by a message converter, so it needs no JSON library and no content negotiation
 * ({@code EventSource} accepts only {@code text/event-stream}). Non-ASCII characters are escaped, so the body does
 * not depend on a charset. Stateless; thread-safe.
 */
final class ProblemResponses {

    /**
     * The challenge of every 401 the library sends: a scheme no browser answers with a login dialog (as it would
     * {@code Basic}), telling the client to sign in through the application (a session) and then reconnect. RFC 9110
     * requires a challenge on every 401; a stream cannot know which login the application offers.
     */
    static final String SESSION_CHALLENGE = "Session";

    private ProblemResponses() {
    }

    static ResponseEntity<String> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .cacheControl(CacheControl.noStore())
                .body(json(status, detail));
    }

    /**
     * The given 401 refusal with the {@link #SESSION_CHALLENGE} added, so that it is a complete 401 (RFC 9110 requires
     * a {@code WWW-Authenticate} challenge) that no browser turns into a Basic login dialog.
     */
    static ResponseEntity<String> challenged(ResponseEntity<String> unauthorized) {
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(unauthorized.getHeaders());
        headers.set(HttpHeaders.WWW_AUTHENTICATE, SESSION_CHALLENGE);
        return new ResponseEntity<>(unauthorized.getBody(), headers, unauthorized.getStatusCode());
    }

    /**
     * A refusal the client should retry later: with {@code Retry-After} of the reconnect delay plus a random share of
     * the jitter, in whole seconds, so that refused clients do not come back together.
     */
    static ResponseEntity<String> retryLater(HttpStatus status, String detail, Duration delay, Duration jitter) {
        long jitterMillis = jitter.toMillis();
        long millis = delay.toMillis() + (jitterMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(jitterMillis + 1));
        long seconds = Math.max(1, (millis + 999) / 1000);
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .cacheControl(CacheControl.noStore())
                .body(json(status, detail));
    }

    /** The problem document, as {@link #problem} sends it. */
    static String json(HttpStatus status, String detail) {
        StringBuilder json = new StringBuilder(96 + detail.length());
        json.append("{\"type\":\"about:blank\",\"title\":");
        quote(status.getReasonPhrase(), json);
        json.append(",\"status\":").append(status.value()).append(",\"detail\":");
        quote(detail, json);
        return json.append('}').toString();
    }

    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
