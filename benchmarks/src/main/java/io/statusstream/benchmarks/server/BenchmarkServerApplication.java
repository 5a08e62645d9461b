package io.statusstream.benchmarks.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The server process of the load benchmark. One application, two designs, chosen by {@code bench.mode}:
 * {@code library} serves {@code /api/v1/bots/{id}/status-stream} with status-stream; {@code baseline} serves
 * {@code /seed/bots/{id}/status-stream} with the seed's one polling loop per client. Both serve {@code /bench/idle}
 * (an SSE request that never sends anything, to measure the container's own cost per open stream) and
 * {@code /bench/stats}. Started by {@link io.statusstream.benchmarks.runner.BenchmarkRunner}, not by hand.
 */
@SpringBootApplication
public class BenchmarkServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(BenchmarkServerApplication.class, args);
    }
}
