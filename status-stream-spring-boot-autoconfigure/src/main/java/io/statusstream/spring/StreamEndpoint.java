package io.statusstream.spring;

import io.statusstream.core.StatusStream;
import io.statusstream.core.StreamClosedException;
import io.statusstream.core.Subscription;
import io.statusstream.spring.ConnectionLimiter.Permit;
import io.statusstream.spring.ConnectionLimiter.Refusal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import java.lang.reflect.Method;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The HTTP side of one stream: its two handler methods, registered by {@link StatusStreamHandlerMapping}.
 *
 * <p>A request is checked on the request thread, in this order, each refusal answered before any stream header is
 * sent: keys (400), principal and access policy (401, 403, 404), connection limits (503, 429; a request over a
 * limit is answered only after the streams holding the places it wants were probed, so that clients which closed
 * idle streams do not cost it one, see {@link #probeThenRetry}). A {@code HEAD}
 * request passes the same checks up to the limits and gets the stream's headers without a stream. Then it subscribes
 * and answers asynchronously once the engine knows the first state of every key: 404 if none of the keys exists,
 * 503 if that takes longer than the ready timeout, else the stream, whose buffered first events are written at once.
 * In a multi-key stream, a key that does not exist (yet) gets a snapshot with a {@code null} state, and a change
 * if it appears.
 *
 * <p>Both handler methods return {@code DeferredResult<ResponseBodyEmitter>}, refusals included (already set, so
 * answered at once). Its result is either the {@link StreamEmitter}, handled by Spring MVC's emitter support (which
 * starts a second async phase, without timeout), or a {@code ResponseEntity} with a problem body, which Spring MVC
 * picks a handler for by the result's class. The declared type matters when the stream ends: the emitter's own
 * completion resumes the request with a {@code null} result, which Spring MVC treats as handled only when the declared
 * result type is an emitter; with {@code Object} it would render a view named after the URL.
 *
 * <p>Thread-safe: stateless apart from the shared limiter and stream, which are.
 */
final class StreamEndpoint<K, S> {

    static final String IDS_PARAMETER = "ids";
    static final String LAST_EVENT_ID_HEADER = "Last-Event-ID";
    static final String LAST_EVENT_ID_PARAMETER = "lastEventId";
    private static final int MAX_ECHOED_CHARS = 64;

    static final Method SINGLE_KEY;
    static final Method MULTI_KEY;

    static {
        try {
            SINGLE_KEY = StreamEndpoint.class.getMethod("singleKey", String.class, HttpServletRequest.class);
            MULTI_KEY = StreamEndpoint.class.getMethod("multiKey", HttpServletRequest.class);
        } catch (NoSuchMethodException impossible) {
            throw new ExceptionInInitializerError(impossible);
        }
    }

    private final StreamDefinition<K, S> definition;
    private final StatusStream<K, S> stream;
    private final ConnectionLimiter limiter;
    private final StatusStreamMetrics metrics;
    private final int maxKeys;
    private final Duration readyTimeout;
    private final Duration retryDelay;
    private final Duration retryJitter;
    private final OpenStreams openStreams;

    StreamEndpoint(StreamDefinition<K, S> definition, StatusStream<K, S> stream, ConnectionLimiter limiter,
                   StatusStreamMetrics metrics, int maxKeys, Duration readyTimeout, Duration retryDelay,
                   Duration retryJitter, OpenStreams openStreams) {
        this.definition = definition;
        this.stream = stream;
        this.limiter = limiter;
        this.metrics = metrics;
        this.maxKeys = maxKeys;
        this.readyTimeout = readyTimeout;
        this.retryDelay = retryDelay;
        this.retryJitter = retryJitter;
        this.openStreams = openStreams;
    }

    /** {@code GET {path}/{key}/status-stream}. */
    public DeferredResult<ResponseBodyEmitter> singleKey(@PathVariable("key") String key, HttpServletRequest request) {
        return answer(open(List.of(key), request));
    }

    /** {@code GET {path}/status-stream?ids=1,2,3} (or {@code ?ids=1&ids=2}). */
    public DeferredResult<ResponseBodyEmitter> multiKey(HttpServletRequest request) {
        return answer(openMany(request));
    }

    /** The outcome as the handler's declared result: a pending stream as it is, a refusal as a set result. */
    @SuppressWarnings("unchecked")
    private static DeferredResult<ResponseBodyEmitter> answer(Object outcome) {
        DeferredResult<?> result;
        if (outcome instanceof DeferredResult<?> pending) {
            result = pending;
        } else {
            DeferredResult<Object> refused = new DeferredResult<>();
            refused.setResult(outcome);
            result = refused;
        }
        return (DeferredResult<ResponseBodyEmitter>) result;
    }

    private Object openMany(HttpServletRequest request) {
        String[] values = request.getParameterValues(IDS_PARAMETER);
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
            if (texts.size() > maxKeys) {
                return tooManyKeys();
            }
        }
        if (texts.isEmpty()) {
            return refuse(HttpStatus.BAD_REQUEST, "the query parameter '" + IDS_PARAMETER
                    + "' must list at least one key");
        }
        return open(texts, request);
    }

    private Object open(List<String> texts, HttpServletRequest request) {
        request.setAttribute(StreamErrorPageFilter.STREAM_REQUEST, definition.name());
        Set<K> keys = new LinkedHashSet<>();
        for (String text : texts) {
            K key;
            try {
                key = definition.keyParser().apply(text);
            } catch (RuntimeException malformed) {
                key = null;
            }
            if (key == null) {
                return refuse(HttpStatus.BAD_REQUEST, "malformed key '" + echo(text) + "' for stream '"
                        + definition.name() + "'");
            }
            keys.add(key);
        }
        if (keys.size() > maxKeys) {
            return tooManyKeys();
        }

        Principal principal = request.getUserPrincipal();
        if (definition.accessPolicy().isPresent()) {
            if (principal == null) {
                return ProblemResponses.challenged(refuse(HttpStatus.UNAUTHORIZED, "stream '" + definition.name() + "' needs an authenticated user"));
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

        if (HttpMethod.HEAD.matches(request.getMethod())) {
            return headersOnly();
        }
        Permit permit = limiter.tryAcquire(principal == null ? null : principal.getName());
        if (permit.refusal() != Refusal.NONE) {
            return probeThenRetry(keys, lastEventId(request), permit, requester(request, principal));
        }
        return subscribe(keys, lastEventId(request), permit, requester(request, principal), pendingStream());
    }

    /**
     * Over a limit: first the holders of the places this request wants must prove that their clients are still
     * there, because a client that closed an idle stream is found only by a failed write. Two probes, a
     * {@linkplain ConnectionLimiter#PROBE_GAP gap} apart (the first write to a closed connection succeeds; the second
     * fails once the client's reset has come back), then one more try for a place, off the request thread.
     */
    private DeferredResult<Object> probeThenRetry(Set<K> keys, String lastEventId, Permit refused,
                                                  Requester requester) {
        DeferredResult<Object> result = pendingStream();
        limiter.probeHolders(refused);
        Executor afterGap = CompletableFuture.delayedExecutor(ConnectionLimiter.PROBE_GAP.toMillis(),
                TimeUnit.MILLISECONDS);
        afterGap.execute(() -> {
            limiter.probeHolders(refused);
            afterGap.execute(() -> {
                Permit permit = limiter.tryAcquire(refused.principal());
                Object outcome = permit.refusal() == Refusal.NONE
                        ? subscribe(keys, lastEventId, permit, requester, result)
                        : overLimit(permit.refusal());
                if (outcome != result) {
                    result.setResult(outcome);
                }
            });
        });
        return result;
    }

    private ResponseEntity<String> overLimit(Refusal refusal) {
        return refusal == Refusal.GLOBAL_LIMIT
                ? retryLater(HttpStatus.SERVICE_UNAVAILABLE, "the server has too many open streams")
                : retryLater(HttpStatus.TOO_MANY_REQUESTS, "too many open streams for this user");
    }

    /** The answer of a stream request still waiting for its first states: 503 if they take too long. */
    private DeferredResult<Object> pendingStream() {
        return new DeferredResult<>(readyTimeout.toMillis(), () -> {
            metrics.connectionRejected(definition.name(), HttpStatus.SERVICE_UNAVAILABLE.value());
            return ProblemResponses.retryLater(HttpStatus.SERVICE_UNAVAILABLE,
                    "the state of the requested keys is not available yet", retryDelay, retryJitter);
        });
    }

    /**
     * Subscribes, and answers {@code result} once the first states are known.
     *
     * @return {@code result}, or the refusal to answer instead
     */
    private Object subscribe(Set<K> keys, String lastEventId, Permit permit, Requester requester,
                             DeferredResult<Object> result) {
        StreamEmitter emitter = new StreamEmitter();
        Lease lease = new Lease(permit);
        Subscription<K> subscription;
        try {
            subscription = stream.subscribe(keys, lastEventId, new EmitterEventSink(emitter, lease::end));
        } catch (StreamClosedException closed) {
            permit.release();
            return retryLater(HttpStatus.SERVICE_UNAVAILABLE, "the stream is shutting down");
        } catch (RuntimeException failure) {
            // Not ours to answer (a failing serializer): the application's error handling decides.
            permit.release();
            throw failure;
        }
        lease.attach(subscription, openStreams.opened(definition, requester.principal(), requester.sessionId(),
                subscription));
        permit.onProbe(subscription::probe);
        // Client gone, error or completion of the stream's response: all quietly end the subscription.
        emitter.onCompletion(lease::end);
        emitter.onTimeout(lease::end);
        emitter.onError(failure -> lease.end());

        result.onTimeout(lease::end);
        result.onError(failure -> lease.end());
        subscription.ready().whenComplete((absentKeys, failure) -> {
            if (failure != null) {
                // Cancelled by our own end (timeout, client gone: answered already), or else by the engine's shutdown.
                if (lease.end()) {
                    result.setResult(retryLater(HttpStatus.SERVICE_UNAVAILABLE, "the stream is shutting down"));
                }
            } else if (absentKeys.size() == keys.size()) {
                // Only when no key exists: a dashboard stream survives one deleted row, whose snapshot has a null state.
                lease.end();
                result.setResult(notFound(keys));
            } else if (!result.setResult(emitter)) {
                lease.end();
            }
        });
        return result;
    }

    /**
     * {@code HEAD}, which Spring MVC maps to a {@code GET} handler: the headers a stream would get, and no stream.
     * Nothing is ever written to a {@code HEAD} response, so no failed write would ever find that its client left: a
     * subscription for it would hold its permit, its keys and its connection forever.
     */
    private static ResponseEntity<String> headersOnly() {
        HttpHeaders headers = new HttpHeaders();
        StreamEmitter.setStreamHeaders(headers);
        return ResponseEntity.ok().headers(headers).build();
    }

    /** Who asked, as the re-checks and session ends need it. */
    private static Requester requester(HttpServletRequest request, Principal principal) {
        HttpSession session = request.getSession(false);
        return new Requester(principal, session == null ? null : session.getId());
    }

    private record Requester(Principal principal, String sessionId) {
    }

    private static String lastEventId(HttpServletRequest request) {
        String header = request.getHeader(LAST_EVENT_ID_HEADER);
        return header != null && !header.isEmpty() ? header : request.getParameter(LAST_EVENT_ID_PARAMETER);
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
        return refuse(HttpStatus.BAD_REQUEST, "too many keys: at most " + maxKeys + " per stream request");
    }

    private ResponseEntity<String> refuse(HttpStatus status, String detail) {
        metrics.connectionRejected(definition.name(), status.value());
        return ProblemResponses.problem(status, detail);
    }

    private ResponseEntity<String> retryLater(HttpStatus status, String detail) {
        metrics.connectionRejected(definition.name(), status.value());
        return ProblemResponses.retryLater(status, detail, retryDelay, retryJitter);
    }

    private static String echo(String text) {
        return text.length() <= MAX_ECHOED_CHARS ? text : text.substring(0, MAX_ECHOED_CHARS) + "...";
    }

    @Override
    public String toString() {
        return "StatusStream endpoint of " + definition;
    }

    /**
     * What one stream request holds: its subscription and its connection permit, given back exactly once by whichever
     * comes first of the response's end (completion, timeout, error), a refusal after subscribing, and the engine
     * ending the subscriber. The engine's end counts because the emitter does not call its callbacks when it was
     * completed before Spring MVC started the response (a shutdown in that window). Thread-safe.
     */
    private static final class Lease {

        private final Permit permit;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Subscription<?> subscription;
        private volatile OpenStreams.Open open;

        Lease(Permit permit) {
            this.permit = permit;
        }

        void attach(Subscription<?> subscription, OpenStreams.Open open) {
            this.subscription = subscription;
            this.open = open;
            if (ended.get()) {
                subscription.close();
                open.closed();
            }
        }

        /** @return {@code true} if this call ended it, {@code false} if it had ended before */
        boolean end() {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            Subscription<?> current = subscription;
            if (current != null) {
                current.close();
            }
            OpenStreams.Open registered = open;
            if (registered != null) {
                registered.closed();
            }
            permit.release();
            return true;
        }
    }
}
