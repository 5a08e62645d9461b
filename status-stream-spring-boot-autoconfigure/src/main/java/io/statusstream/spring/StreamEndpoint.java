package io.statusstream.spring;

import io.statusstream.core.EventSink;
import io.statusstream.spring.StreamAdmission.Requester;
import io.statusstream.spring.StreamAdmission.StreamTransport;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

/**
 * The Spring MVC side of one stream: its two handler methods, registered by {@link StatusStreamHandlerMapping}, which
 * hand the request to the stream's {@link StreamAdmission} (checks, limits, subscription) and its answer to Spring MVC.
 *
 * <p>Both handler methods return {@code DeferredResult<ResponseBodyEmitter>}, refusals included (already set, so
 * answered at once). Its result is either the {@link StreamEmitter}, handled by Spring MVC's emitter support (which
 * starts a second async phase, without timeout), or a {@code ResponseEntity} with a problem body, which Spring MVC
 * picks a handler for by the result's class. The declared type matters when the stream ends: the emitter's own
 * completion resumes the request with a {@code null} result, which Spring MVC treats as handled only when the declared
 * result type is an emitter; with {@code Object} it would render a view named after the URL.
 *
 * <p>Thread-safe: stateless apart from the admission, which is.
 */
final class StreamEndpoint<K, S> {

    static final Method SINGLE_KEY;
    static final Method MULTI_KEY;

    /**
     * How much longer than the ready timeout Spring MVC waits for the answer before its own 503. The admission answers
     * at the ready timeout; this only keeps the container's async timeout (30 s on Tomcat) from applying instead.
     */
    private static final Duration BACKSTOP = Duration.ofSeconds(5);

    static {
        try {
            SINGLE_KEY = StreamEndpoint.class.getMethod("singleKey", String.class, HttpServletRequest.class);
            MULTI_KEY = StreamEndpoint.class.getMethod("multiKey", HttpServletRequest.class);
        } catch (NoSuchMethodException impossible) {
            throw new ExceptionInInitializerError(impossible);
        }
    }

    private final StreamAdmission<K, S> admission;
    private final StreamRoute route;

    StreamEndpoint(StreamAdmission<K, S> admission, StreamRoute route) {
        this.admission = admission;
        this.route = route;
    }

    /** {@code GET {path}/{key}/status-stream}. */
    public DeferredResult<ResponseBodyEmitter> singleKey(@PathVariable("key") String key, HttpServletRequest request) {
        markStreamRequest(request);
        return answer(admission.open(List.of(key), requester(request), EMITTERS));
    }

    /** {@code GET {path}/status-stream?ids=1,2,3} (or {@code ?ids=1&ids=2}). */
    public DeferredResult<ResponseBodyEmitter> multiKey(HttpServletRequest request) {
        markStreamRequest(request);
        String[] ids = request.getParameterValues(StreamAdmission.IDS_PARAMETER);
        return answer(admission.openMany(ids == null ? null : List.of(ids), requester(request), EMITTERS));
    }

    private void markStreamRequest(HttpServletRequest request) {
        request.setAttribute(StreamErrorPageFilter.STREAM_REQUEST, admission.definition().name());
    }

    /** The pending answer as the handler's declared result: set at once when it is known already. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private DeferredResult<ResponseBodyEmitter> answer(PendingStream pending) {
        DeferredResult<Object> result;
        if (pending.answer.isDone()) {
            result = new DeferredResult<>();
        } else {
            result = new DeferredResult<>(route.readyTimeout().plus(BACKSTOP).toMillis(), () -> {
                pending.abandon();
                return ProblemResponses.retryLater(HttpStatus.SERVICE_UNAVAILABLE,
                        "the state of the requested keys is not available yet", route.retryDelay(),
                        route.retryJitter());
            });
            result.onError(failure -> pending.abandon());
        }
        pending.answer.whenComplete((answer, failure) -> {
            if (failure != null) {
                result.setErrorResult(failure);
            } else if (!result.setResult(answer) && answer instanceof StreamEmitter) {
                pending.abandon();
            }
        });
        return (DeferredResult) result;
    }

    private static Requester requester(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return new Requester(request.getUserPrincipal(), session == null ? null : session.getId(),
                Requester.lastEventId(request.getHeader(StreamAdmission.LAST_EVENT_ID_HEADER),
                        request.getParameter(StreamAdmission.LAST_EVENT_ID_PARAMETER)),
                HttpMethod.HEAD.matches(request.getMethod()));
    }

    /** Streams through an {@link StreamEmitter}: its end (client gone, error, completion) ends the stream. */
    private static final StreamTransport<StreamEmitter> EMITTERS = new StreamTransport<>() {

        @Override
        public StreamEmitter response(Runnable ended) {
            StreamEmitter emitter = new StreamEmitter();
            emitter.onCompletion(ended);
            emitter.onTimeout(ended);
            emitter.onError(failure -> ended.run());
            return emitter;
        }

        @Override
        public EventSink sink(StreamEmitter emitter, Runnable closedByEngine) {
            return new EmitterEventSink(emitter, closedByEngine);
        }
    };

    @Override
    public String toString() {
        return "StatusStream endpoint of " + admission.definition();
    }
}
