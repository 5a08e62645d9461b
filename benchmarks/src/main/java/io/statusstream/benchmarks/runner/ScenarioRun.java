package io.statusstream.benchmarks.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Runs one {@link Scenario}: table, server process, client process, writer; then collects the figures. Every
 * process it starts is stopped before it returns, also on failure.
 */
final class ScenarioRun {

    /** The version the final write sets; the client checks every stream ends there. */
    private static final long FINAL_VERSION = 1_000_000_000L;

    private final BenchDatabase database;
    private final Duration interval;
    private final Duration window;
    private final Path logs;

    ScenarioRun(BenchDatabase database, Duration interval, Duration window, Path logs) {
        this.database = database;
        this.interval = interval;
        this.window = window;
        this.logs = logs;
    }

    RunResult run(Scenario scenario) throws Exception {
        database.resetTable(scenario.keys(), scenario.push());
        String id = scenario.name().replaceAll("[^A-Za-z0-9]+", "-") + "-" + scenario.connections();
        try (ServerProcess server = ServerProcess.start(scenario, interval, logs.resolve(id + "-server.log"))) {
            long heapBefore = server.stats().heapAfterGc();
            long libraryBefore = server.libraryClassBytes();
            try (ClientProcess client = ClientProcess.start(server.url(scenario.design().path),
                    scenario.connections(), scenario.keys(), logs.resolve(id + "-client.log"))) {
                Map<String, String> ready = client.awaitReady();
                int opened = Integer.parseInt(ready.get("open"));
                ServerProcess.Stats loaded = server.stats();
                double heapPerStream = (double) (loaded.heapAfterGc() - heapBefore) / Math.max(1, opened);
                double libraryClassesPerStream = (double) (server.libraryClassBytes() - libraryBefore)
                        / Math.max(1, opened);
                if (!scenario.measuresChanges()) {
                    client.quit();
                    client.result();
                    return new RunResult(scenario, 0, Double.NaN, -1, -1, -1, 0, 0, opened, heapPerStream,
                            libraryClassesPerStream, Double.NaN, Double.NaN, server.threads(), ProcessCpu.loadAverage());
                }
                return measureChanges(scenario, server, client, opened, heapPerStream, libraryClassesPerStream);
            }
        }
    }

    private RunResult measureChanges(Scenario scenario, ServerProcess server, ClientProcess client, int opened,
                                     double heapPerStream, double libraryClassesPerStream) throws Exception {
        try (RowWriter writer = new RowWriter(scenario.keys())) {
            // One interval for the first GC-disturbed polls to settle before the window opens.
            Thread.sleep(interval.toMillis());
            long readsBefore = database.stateReads();
            double cpuBefore = server.cpuSeconds();
            double clientCpuBefore = client.cpuSeconds();
            long start = System.nanoTime();
            client.go();
            writer.start(scenario.rowsPerSecond());
            Thread.sleep(window.toMillis());
            writer.stop();
            long reads = database.stateReads() - readsBefore;
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = (server.cpuSeconds() - cpuBefore) / seconds;
            double clientCpu = (client.cpuSeconds() - clientCpuBefore) / seconds;
            int threads = server.threads();
            double load = ProcessCpu.loadAverage();
            // Let the last writes arrive before closing the latency window.
            Thread.sleep(interval.toMillis() + 200);
            client.finalState();
            writer.writeFinal(FINAL_VERSION);
            Map<String, String> result = client.result();
            double windowSeconds = Long.parseLong(result.get("windowMs")) / 1000.0;
            return new RunResult(scenario, seconds, reads / seconds,
                    micros(result.get("p50us")), micros(result.get("p99us")), micros(result.get("maxUs")),
                    Long.parseLong(result.get("events")) / windowSeconds, Integer.parseInt(result.get("notFinal")),
                    opened, heapPerStream, libraryClassesPerStream, cpu, clientCpu, threads, load);
        }
    }

    private static double micros(String value) {
        long micros = Long.parseLong(value);
        return micros < 0 ? -1 : micros / 1000.0;
    }
}
