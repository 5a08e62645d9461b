package io.statusstream.spring;

import io.statusstream.core.EventSink;
import io.statusstream.spring.StreamAdmission.Requester;
import io.statusstream.spring.StreamAdmission.StreamTransport;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Spring WebFlux side of one stream: its two handler functions, which hand the request to the stream's
 * {@link StreamAdmission} (checks, limits, subscription) and its answer to WebFlux, as a refusal with a problem body or
 * as a {@link ReactiveStream}.
 *
 * <p>The principal is the exchange's ({@code ServerWebExchange.getPrincipal()}, Spring Security's
 * {@code Authentication} when it is there). An access policy may query a database, so a stream with one is admitted on
 * Reactor's bounded-elastic scheduler, never on an event-loop thread; without one, admission only parses keys and takes
 * a place, on the request's thread. WebFlux has no HTTP session events, so a logout does not end a stream here (the
 * re-checks and a credential's expiry still do).
 *
 * <p>Thread-safe: stateless apart from the admission, which is.
 */
final class ReactiveStreamEndpoint<K, S> {

    private static final boolean REACTOR_NETTY = ClassUtils.isPresent("reactor.netty.Connection",
            ReactiveStreamEndpoint.class.getClassLoader());

    private final StreamAdmission<K, S> admission;

    ReactiveStreamEndpoint(StreamAdmission<K, S> admission) {
        this.admission = admission;
    }

    /**
     * The routes of this stream at its path: the single-key and the multi-key endpoint, {@code GET} and {@code HEAD};
     * any other method at those paths is answered 405 with {@code Allow} (an {@code OPTIONS} request that is no CORS
     * preflight, 200 with {@code Allow}), as Spring MVC answers them.
     */
    RouterFunction<ServerResponse> routes(String path) {
        RequestPredicate single = RequestPredicates.path(path + StreamRoute.SINGLE_KEY_SUFFIX);
        RequestPredicate multi = RequestPredicates.path(path + StreamRoute.MULTI_KEY_SUFFIX);
        RequestPredicate streamMethods = RequestPredicates.methods(HttpMethod.GET, HttpMethod.HEAD);
        return RouterFunctions
                .route(single.and(streamMethods), this::singleKey)
                .andRoute(multi.and(streamMethods), this::multiKey)
                .andRoute(single.or(multi), ReactiveStreamEndpoint::otherMethod);
    }

    private static Mono<ServerResponse> otherMethod(ServerRequest request) {
        if (HttpMethod.OPTIONS.equals(request.method())) {
            return ServerResponse.ok().allow(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS).build();
        }
        ResponseEntity<String> problem = ProblemResponses.problem(HttpStatus.METHOD_NOT_ALLOWED, "a stream is opened"
                + " with GET (or HEAD for its headers), not " + request.method().name());
        return refusal(ResponseEntity.status(problem.getStatusCode()).headers(problem.getHeaders())
                .allow(HttpMethod.GET, HttpMethod.HEAD).body(problem.getBody()));
    }

    /** {@code GET {path}/{key}/status-stream}. */
    Mono<ServerResponse> singleKey(ServerRequest request) {
        List<String> key = List.of(request.pathVariable("key"));
        return requester(request).flatMap(requester ->
                answer(() -> admission.open(key, requester, transport(request))));
    }

    /** {@code GET {path}/status-stream?ids=1,2,3} (or {@code ?ids=1&ids=2}). */
    Mono<ServerResponse> multiKey(ServerRequest request) {
        List<String> ids = request.queryParams().get(StreamAdmission.IDS_PARAMETER);
        return requester(request).flatMap(requester ->
                answer(() -> admission.openMany(ids, requester, transport(request))));
    }

    private Mono<ServerResponse> answer(Supplier<PendingStream> admit) {
        Mono<PendingStream> admitted = Mono.fromSupplier(admit);
        if (admission.definition().accessPolicy().isPresent()) {
            admitted = admitted.subscribeOn(Schedulers.boundedElastic());
        }
        return admitted.flatMap(pending -> Mono.fromFuture(pending.answer)
                .doOnCancel(pending::abandon)
                .flatMap(answer -> answer instanceof ReactiveStream stream ? streaming(stream)
                        : refusal((ResponseEntity<?>) answer)));
    }

    private static Mono<Requester> requester(ServerRequest request) {
        String lastEventId = Requester.lastEventId(
                request.headers().firstHeader(StreamAdmission.LAST_EVENT_ID_HEADER),
                request.queryParam(StreamAdmission.LAST_EVENT_ID_PARAMETER).orElse(null));
        boolean head = HttpMethod.HEAD.equals(request.method());
        return request.principal()
                .map(Optional::<Principal>of)
                .defaultIfEmpty(Optional.empty())
                .map(principal -> new Requester(principal.orElse(null), null, lastEventId, head));
    }

    private static Mono<ServerResponse> streaming(ReactiveStream stream) {
        return ServerResponse.ok()
                .headers(StreamAdmission::setStreamHeaders)
                .body((response, context) -> response.writeAndFlushWith(stream.body(response.bufferFactory())));
    }

    private static Mono<ServerResponse> refusal(ResponseEntity<?> answer) {
        ServerResponse.BodyBuilder response = ServerResponse.status(answer.getStatusCode())
                .headers(headers -> headers.addAll(answer.getHeaders()));
        // Problem documents are ASCII (ProblemResponses escapes the rest): written as bytes, no encoder needed.
        return answer.getBody() instanceof String body
                ? response.bodyValue(body.getBytes(StandardCharsets.US_ASCII))
                : response.build();
    }

    /** Streams of this request's exchange; a stuck client's connection is closed through the server's connection. */
    private static StreamTransport<ReactiveStream> transport(ServerRequest request) {
        ServerHttpResponse response = request.exchange().getResponse();
        return new StreamTransport<>() {
            @Override
            public ReactiveStream response(Runnable ended) {
                return new ReactiveStream(ended, () -> abort(response));
            }

            @Override
            public EventSink sink(ReactiveStream stream, Runnable closedByEngine) {
                return stream.sink(closedByEngine);
            }
        };
    }

    /** Closes the connection under the response; on servers other than Reactor Netty, the stuck write times out. */
    private static void abort(ServerHttpResponse response) {
        if (REACTOR_NETTY) {
            ReactorNetty.dispose(response);
        }
    }

    @Override
    public String toString() {
        return "StatusStream WebFlux endpoint of " + admission.definition();
    }

    /** Kept apart so that Reactor Netty's classes are only loaded when it is the server. */
    private static final class ReactorNetty {

        static void dispose(ServerHttpResponse response) {
            Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
            if (nativeResponse instanceof reactor.netty.Connection connection) {
                connection.dispose();
            }
        }
    }
}
