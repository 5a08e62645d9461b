package io.statusstream.benchmarks.server;

import io.statusstream.core.StreamStats;
import io.statusstream.spring.StatusStreams;
import java.lang.management.ManagementFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Measurement endpoints, in both modes and on both web stacks (plain-text answers, which Spring MVC and WebFlux write
 * alike): readiness, the heap after a full collection plus the thread count, and the library stream's cluster mode.
 * The idle SSE stream without the library is stack-specific ({@link ServletIdleEndpoint}, {@link ReactiveIdleEndpoint}).
 */
@RestController
class BenchmarkEndpoints {

    private final ObjectProvider<StatusStreams> streams;

    BenchmarkEndpoints(ObjectProvider<StatusStreams> streams) {
        this.streams = streams;
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
