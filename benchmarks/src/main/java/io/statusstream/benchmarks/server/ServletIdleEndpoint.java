package io.statusstream.benchmarks.server;

import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The container's own cost of an open stream on a servlet stack: an SSE response without the library, as a
 * hand-written Spring MVC endpoint would hold it ({@code SseEmitter} without a timeout), that only says it is open.
 */
@RestController
@ConditionalOnWebApplication(type = Type.SERVLET)
class ServletIdleEndpoint {

    @GetMapping("/bench/idle")
    SseEmitter idle() throws IOException {
        SseEmitter emitter = new SseEmitter(0L);
        emitter.send(SseEmitter.event().comment("open"));
        return emitter;
    }
}
