package io.statusstream.benchmarks.runner;

/**
 * What one {@link Scenario} measured. Latencies in milliseconds ({@code -1} when no change arrived), heap in bytes,
 * CPU in cores (CPU seconds per wall second). Immutable.
 *
 * @param statementsPerSecond reads of the state table PostgreSQL counted during the window, per second
 * @param lost                streams that did not end at the final state (the runner's last write)
 * @param heapPerStream       (heap after GC with N streams open − heap after GC before) / N
 * @param rssPerStream        the same difference of the server processes' resident set size, after those GCs
 * @param clientCpuCores      the load client's CPU in the same window: it shares the 2 cores, and its parsing is
 *                            part of the measured latency
 * @param loadAverage         the machine's one-minute load average at the end of the window
 * @param libraryClassesPerStream the same difference for objects of the library's own classes only (class histogram)
 * @param redis               cluster runs: Redis requests and commands during the window; {@code null} otherwise
 * @param pollers             cluster runs: instances holding the poller lease at the end of the window (1 expected);
 *                            {@code -1} otherwise
 *
 * <p>In cluster runs heap, CPU and threads are summed over the server instances.
 */
record RunResult(Scenario scenario, double windowSeconds, double statementsPerSecond, double p50Millis,
                 double p99Millis, double maxMillis, double eventsPerSecond, int lost, int opened,
                 double heapPerStream, double rssPerStream, double libraryClassesPerStream, double cpuCores, double clientCpuCores,
                 int threads, double loadAverage, RedisInfo.Cost redis, int pollers) {
}
