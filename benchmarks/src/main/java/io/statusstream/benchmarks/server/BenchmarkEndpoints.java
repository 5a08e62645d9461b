package io.statusstream.benchmarks.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Measurement endpoints, in both modes: an idle SSE stream without the library (the container's share of a stream's
 * memory), and the heap after a full collection plus the thread count.
 */
@RestController
class BenchmarkEndpoints {

    /** An open {@code text/event-stream} response that only says it is open: Spring MVC and Tomcat, no library. */
    @GetMapping("/bench/idle")
    SseEmitter idle() throws IOException {
        SseEmitter emitter = new SseEmitter(0L);
        emitter.send(SseEmitter.event().comment("open"));
        return emitter;
    }

    /** Answers once the server accepts requests. */
    @GetMapping(path = "/bench/ready", produces = "text/plain")
    String ready() {
        return "ready";
    }

    /** {@code heapAfterGc=<bytes> threads=<n>}; runs full collections first, so call it outside measured windows. */
    @GetMapping(path = "/bench/stats", produces = "text/plain")
    String stats() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return "heapAfterGc=" + heap + " threads=" + ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
