package io.statusstream.benchmarks.server;

import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * The server's own cost of an open stream on Spring WebFlux: an SSE response without the library, as a hand-written
 * WebFlux endpoint would hold it — a {@code Flux} of events with a {@code Flux.interval} heartbeat of its own per
 * stream (every 15 s, the library's default heartbeat interval), after a first comment that says it is open.
 */
@RestController
@ConditionalOnWebApplication(type = Type.REACTIVE)
class ReactiveIdleEndpoint {

    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    @GetMapping(path = "/bench/idle", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> idle() {
        return Flux.concat(Flux.just(comment("open")), Flux.interval(HEARTBEAT).map(tick -> comment("ping")));
    }

    private static ServerSentEvent<String> comment(String text) {
        return ServerSentEvent.<String>builder().comment(text).build();
    }
}
