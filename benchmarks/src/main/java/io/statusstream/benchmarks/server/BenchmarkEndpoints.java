package io.statusstream.benchmarks.server;

import java.io.IOException;
import io.statusstream.core.StreamStats;
import io.statusstream.spring.StatusStreams;
import java.lang.management.ManagementFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Measurement endpoints, in both modes: an idle SSE stream without the library (the container's share of a stream's
 * memory), and the heap after a full collection plus the thread count.
 */
@RestController
class BenchmarkEndpoints {

    private final ObjectProvider<StatusStreams> streams;

    BenchmarkEndpoints(ObjectProvider<StatusStreams> streams) {
        this.streams = streams;
    }

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

    /**
     * {@code mode=<LOCAL|LOCAL_FALLBACK|JOINING|CLUSTER|NONE> poller=<true|false> subscribers=<n>}: where the library
     * stream's events come from on this instance, whether it holds the cluster's poller lease ({@code NONE} in
     * baseline mode), and its open streams.
     */
    @GetMapping(path = "/bench/cluster", produces = "text/plain")
    String cluster() {
        StatusStreams all = streams.getIfAvailable();
        if (all == null || !all.names().contains("bots")) {
            return "mode=NONE poller=false subscribers=0";
        }
        StreamStats stats = all.get("bots").stats();
        return "mode=" + stats.mode() + " poller=" + stats.clusterPoller() + " subscribers=" + stats.subscribers();
    }
}
