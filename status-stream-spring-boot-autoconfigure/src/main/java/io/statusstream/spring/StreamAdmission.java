package io.statusstream.spring;

import io.statusstream.core.EventSink;
import io.statusstream.core.StatusStream;
import io.statusstream.core.StreamClosedException;
import io.statusstream.core.Subscription;
import io.statusstream.spring.ConnectionLimiter.Permit;
import io.statusstream.spring.ConnectionLimiter.Refusal;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What happens to a request for one stream between its arrival and its first byte, whatever the web stack: the
 * checks, the limits, the subscription and the wait for the first states. The stacks' endpoints
 * ({@link StreamEndpoint} for Spring MVC, {@link ReactiveStreamEndpoint} for WebFlux) only translate their request
 * into a {@link Requester} and the answer into their response.
 *
 * <p>A request is checked in this order, each refusal answered before any stream header is sent: keys (400),
 * principal and access policy (401, 403, 404), connection limits (503, 429; a request over a limit is answered only
 * after the streams holding the places it wants were probed, so that clients which closed idle streams do not cost it
 * one, see {@link #probeThenRetry}). A {@code HEAD} request passes the same checks up to the limits and gets the
 * stream's headers without a stream: nothing is ever written to a {@code HEAD} response, so no failed write would
 * ever find that its client left, and a subscription for it would hold its permit, its keys and its connection
 * forever. Then it subscribes and answers once the engine knows the first state of every key: 404 if none of the
 * keys exists, 503 if that takes longer than the ready timeout, else the stream. In a multi-key stream, a key that
 * does not exist (yet) gets a snapshot with a {@code null} state, and a change if it appears.
 *
 * <p>Thread-safe: stateless apart from the shared limiter and stream, which are.
 *
 * @param <K> key type
 * @param <S> state type
 */
final class StreamAdmission<K, S> {

    static final String IDS_PARAMETER = "ids";
    static final String LAST_EVENT_ID_HEADER = "Last-Event-ID";
    static final String LAST_EVENT_ID_PARAMETER = "lastEventId";
    /** The content type of every stream, and of the answer to a {@code HEAD} request for one. */
    static final MediaType EVENT_STREAM_UTF8 = new MediaType(MediaType.TEXT_EVENT_STREAM, StandardCharsets.UTF_8);
    private static final int MAX_ECHOED_CHARS = 64;

    private final StreamDefinition<K, S> definition;
    private final StatusStream<K, S> stream;
    private final ConnectionLimiter limiter;
    private final StatusStreamMetrics metrics;
    private final StreamRoute route;
    private final OpenStreams openStreams;

    StreamAdmission(StreamRoute route, StatusStream<K, S> stream, ConnectionLimiter limiter,
                    StatusStreamMetrics metrics, OpenStreams openStreams) {
        @SuppressWarnings("unchecked")
        StreamDefinition<K, S> typed = (StreamDefinition<K, S>) route.definition();
        this.definition = typed;
        this.route = route;
        this.stream = stream;
        this.limiter = limiter;
        this.metrics = metrics;
        this.openStreams = openStreams;
    }

    StreamDefinition<K, S> definition() {
        return definition;
    }

    /**
     * {@link #open} for a multi-key request, whose keys are the values of its {@value #IDS_PARAMETER} parameter (each a
     * comma-separated list, blanks ignored).
     *
     * @param ids the parameter's values, or {@code null} when it is missing
     */
    <T> PendingStream openMany(List<String> ids, Requester requester, StreamTransport<T> transport) {
        Object texts = keyTexts(ids);
        if (texts instanceof ResponseEntity<?> refusal) {
            PendingStream pending = new PendingStream();
            @SuppressWarnings("unchecked")
            ResponseEntity<String> problem = (ResponseEntity<String>) refusal;
            settle(pending, problem);
            return pending;
        }
        @SuppressWarnings("unchecked")
        List<String> keys = (List<String>) texts;
        return open(keys, requester, transport);
    }

    /** The key texts, or the refusal ({@code ResponseEntity}) to answer. */
    private Object keyTexts(List<String> values) {
        if (values == null) {
            return refuse(HttpStatus.BAD_REQUEST, "the query parameter '" + IDS_PARAMETER
                    + "' must list the keys to watch, separated by commas");
        }
        List<String> texts = new ArrayList<>();
        for (String value : values) {
            for (String text : value.split(",", -1)) {
                if (!text.isBlank()) {
                    texts.add(text.strip());
                }
            }
            if (texts.size() > route.maxKeys()) {
                return tooManyKeys();
            }
        }
        if (texts.isEmpty()) {
            return refuse(HttpStatus.BAD_REQUEST, "the query parameter '" + IDS_PARAMETER
                    + "' must list at least one key");
        }
        return texts;
    }

    /**
     * Admits a stream request, or refuses it. The checks and, when it is within the limits, the subscription happen
     * on the calling thread; a refusal after them (the wait for the first states, a retry after probing) completes the
     * answer later, on another thread.
     *
     * @param texts     the requested keys, as the request spelled them
     * @param requester who asks, and how
     * @param transport makes the stack's response once the request is admitted
     * @return the pending answer; its value is a {@code ResponseEntity<String>} (a refusal, or the headers of a
     * {@code HEAD} request) or the transport's response, which streams
     * @throws RuntimeException what the engine threw when subscribing, other than its shutdown (a failing serializer):
     *                          not ours to answer, the application's error handling decides
     */
    <T> PendingStream open(List<String> texts, Requester requester, StreamTransport<T> transport) {
        PendingStream pending = new PendingStream();
        ResponseEntity<String> refusal = check(texts, requester);
        if (refusal != null) {
            settle(pending, refusal);
            return pending;
        }
        Set<K> keys = parsed(texts);
        Permit permit = limiter.tryAcquire(requester.principalName());
        if (permit.refusal() != Refusal.NONE) {
            probeThenRetry(keys, requester, permit, transport, pending);
        } else {
            subscribe(keys, requester, permit, transport, pending);
        }
        return pending;
    }

    /** The checks up to the limits: a refusal or the {@code HEAD} answer, or {@code null} to go on. */
    private ResponseEntity<String> check(List<String> texts, Requester requester) {
        Set<K> keys = new LinkedHashSet<>();
        for (String text : texts) {
            K key = parse(text);
            if (key == null) {
                return refuse(HttpStatus.BAD_REQUEST, "malformed key '" + echo(text) + "' for stream '"
                        + definition.name() + "'");
            }
            keys.add(key);
        }
        if (keys.size() > route.maxKeys()) {
            return tooManyKeys();
        }
        if (definition.accessPolicy().isPresent()) {
            Principal principal = requester.principal();
            if (principal == null) {
                return ProblemResponses.challenged(refuse(HttpStatus.UNAUTHORIZED, "stream '" + definition.name()
                        + "' needs an authenticated user"));
            }
            switch (definition.accessPolicy().get().decide(principal, Collections.unmodifiableSet(keys))) {
                case ALLOW -> {
                }
                case DENY -> {
                    return refuse(HttpStatus.FORBIDDEN, "not allowed to watch these keys");
                }
                case NOT_FOUND -> {
                    return notFound(keys);
                }
            }
        }
        return requester.head() ? headersOnly() : null;
    }

    private K parse(String text) {
        try {
            return definition.keyParser().apply(text);
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    /** The keys of texts that {@link #check} accepted. */
    private Set<K> parsed(List<String> texts) {
        Set<K> keys = new LinkedHashSet<>();
        for (String text : texts) {
            keys.add(parse(text));
        }
        return keys;
    }

    /**
     * Over a limit: first the holders of the places this request wants must prove that their clients are still
     * there, because a client that closed an idle stream is found only by a failed write. Two probes, a
     * {@linkplain ConnectionLimiter#PROBE_GAP gap} apart (the first write to a closed connection succeeds; the second
     * fails once the client's reset has come back), then one more try for a place, off the request thread.
     */
    private <T> void probeThenRetry(Set<K> keys, Requester requester, Permit refused, StreamTransport<T> transport,
                                    PendingStream pending) {
        limiter.probeHolders(refused);
        Executor afterGap = CompletableFuture.delayedExecutor(ConnectionLimiter.PROBE_GAP.toMillis(),
                TimeUnit.MILLISECONDS);
        afterGap.execute(() -> {
            limiter.probeHolders(refused);
            afterGap.execute(() -> {
                if (pending.abandoned()) {
                    return;
                }
                Permit permit = limiter.tryAcquire(refused.principal());
                if (permit.refusal() != Refusal.NONE) {
                    settle(pending, overLimit(permit.refusal()));
                    return;
                }
                try {
                    subscribe(keys, requester, permit, transport, pending);
                } catch (RuntimeException failure) {
                    pending.answer.completeExceptionally(failure);
                }
            });
        });
    }

    /** Subscribes, and completes the pending answer once the first states are known, or the ready timeout passed. */
    private <T> void subscribe(Set<K> keys, Requester requester, Permit permit, StreamTransport<T> transport,
                               PendingStream pending) {
        StreamLease lease = new StreamLease(permit);
        T response = transport.response(lease::end);
        Subscription<K> subscription;
        try {
            subscription = stream.subscribe(keys, requester.lastEventId(), transport.sink(response, lease::end));
        } catch (StreamClosedException closed) {
            permit.release();
            settle(pending, retryLater(HttpStatus.SERVICE_UNAVAILABLE, "the stream is shutting down"));
            return;
        } catch (RuntimeException failure) {
            permit.release();
            throw failure;
        }
        lease.attach(subscription, openStreams.opened(definition, requester.principal(), requester.sessionId(),
                subscription));
        permit.onProbe(subscription::probe);
        pending.hold(lease);
        CompletableFuture.delayedExecutor(route.readyTimeout().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!pending.answer.isDone() && settle(pending, retryLater(HttpStatus.SERVICE_UNAVAILABLE,
                    "the state of the requested keys is not available yet"))) {
                lease.end();
            }
        });
        subscription.ready().whenComplete((absentKeys, failure) -> {
            if (failure != null) {
                // Cancelled by our own end (timeout, client gone: answered already), or else by the engine's shutdown.
                if (lease.end()) {
                    settle(pending, retryLater(HttpStatus.SERVICE_UNAVAILABLE, "the stream is shutting down"));
                }
            } else if (absentKeys.size() == keys.size()) {
                // Only when no key exists: a dashboard stream survives one deleted row, whose snapshot has a null state.
                lease.end();
                settle(pending, notFound(keys));
            } else if (!pending.answer.complete(response)) {
                lease.end();
            }
        });
    }

    private ResponseEntity<String> overLimit(Refusal refusal) {
        return refusal == Refusal.GLOBAL_LIMIT
                ? retryLater(HttpStatus.SERVICE_UNAVAILABLE, "the server has too many open streams")
                : retryLater(HttpStatus.TOO_MANY_REQUESTS, "too many open streams for this user");
    }

    /** The answer to a {@code HEAD} request: the headers a stream would get, and no stream. */
    private static ResponseEntity<String> headersOnly() {
        HttpHeaders headers = new HttpHeaders();
        setStreamHeaders(headers);
        return ResponseEntity.ok().headers(headers).build();
    }

    /**
     * The headers of every stream response: the charset, no caching and no transformation by proxies (which also
     * keeps compressing proxies from buffering), and no buffering by nginx ({@code X-Accel-Buffering}).
     */
    static void setStreamHeaders(HttpHeaders headers) {
        headers.setContentType(EVENT_STREAM_UTF8);
        headers.setCacheControl("no-cache, no-transform");
        headers.set("X-Accel-Buffering", "no");
    }

    /**
     * The one answer for keys that do not exist and for keys the policy hides ({@code NOT_FOUND}): the same status,
     * headers and text (all requested keys, in request order), so that probing cannot tell them apart.
     */
    private ResponseEntity<String> notFound(Set<K> keys) {
        return refuse(HttpStatus.NOT_FOUND, (keys.size() == 1 ? "no such key: " : "no such keys: ") + keys.stream()
                .map(key -> echo(definition.keyFormatter().apply(key)))
                .collect(Collectors.joining(", ")));
    }

    private ResponseEntity<String> tooManyKeys() {
        return refuse(HttpStatus.BAD_REQUEST, "too many keys: at most " + route.maxKeys() + " per stream request");
    }

    /**
     * Answers with a refusal (counted) or the {@code HEAD} headers, unless the request was answered before.
     *
     * @return whether this was the answer
     */
    private boolean settle(PendingStream pending, ResponseEntity<String> answer) {
        if (!pending.answer.complete(answer)) {
            return false;
        }
        if (answer.getStatusCode().isError()) {
            metrics.connectionRejected(definition.name(), answer.getStatusCode().value());
        }
        return true;
    }

    private static ResponseEntity<String> refuse(HttpStatus status, String detail) {
        return ProblemResponses.problem(status, detail);
    }

    private ResponseEntity<String> retryLater(HttpStatus status, String detail) {
        return ProblemResponses.retryLater(status, detail, route.retryDelay(), route.retryJitter());
    }

    private static String echo(String text) {
        return text.length() <= MAX_ECHOED_CHARS ? text : text.substring(0, MAX_ECHOED_CHARS) + "...";
    }

    @Override
    public String toString() {
        return "admission of " + definition;
    }

    /**
     * Who asked for a stream, as the checks, the re-checks and session ends need it.
     *
     * @param principal   the request's principal, or {@code null}
     * @param sessionId   its HTTP session, or {@code null}
     * @param lastEventId the {@code Last-Event-ID} header, else the {@value #LAST_EVENT_ID_PARAMETER} parameter, or
     *                    {@code null}
     * @param head        whether it is a {@code HEAD} request
     */
    record Requester(Principal principal, String sessionId, String lastEventId, boolean head) {

        String principalName() {
            return principal == null ? null : principal.getName();
        }

        /** The header if it has a value, else the parameter. */
        static String lastEventId(String header, String parameter) {
            return header != null && !header.isEmpty() ? header : parameter;
        }
    }

    /**
     * How a web stack answers an admitted request with a stream.
     *
     * @param <T> the stack's response
     */
    interface StreamTransport<T> {

        /**
         * A new stream response, not started yet.
         *
         * @param ended to run once the response has ended for any reason: client gone, error, completion
         */
        T response(Runnable ended);

        /**
         * The sink through which the engine writes to the response.
         *
         * @param closedByEngine to run when the engine ends the subscriber, before the response is completed
         */
        EventSink sink(T response, Runnable closedByEngine);
    }
}
