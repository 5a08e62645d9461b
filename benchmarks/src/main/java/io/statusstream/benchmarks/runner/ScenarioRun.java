package io.statusstream.benchmarks.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one {@link Scenario}: table, server process(es), client process, writer; then collects the figures. Every
 * process it starts is stopped before it returns, also on failure.
 *
 * <p>A cluster scenario ({@link Scenario#cluster()}) starts its instances side by side on their own ports, with
 * cluster mode on, the Redis connection and a key prefix of the run's own, waits until every instance fans out from
 * the cluster's shared log, spreads the streams over them round robin, sums CPU, heap and threads over them, and
 * reads Redis' command counters around the window. Its Redis keys are deleted afterwards.
 */
final class ScenarioRun {

    /** The version the final write sets; the client checks every stream ends there. */
    private static final long FINAL_VERSION = 1_000_000_000L;
    /** How long a cluster's instances may take to elect a poller and join its shared log. */
    private static final Duration CLUSTER_JOIN_TIMEOUT = Duration.ofSeconds(60);
    /** Classes listed in each run's histogram of what N streams added ({@code <run>-histogram.txt} in the logs). */
    private static final int HISTOGRAM_ROWS = 30;

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
        String id = scenario.title().replaceAll("[^A-Za-z0-9]+", "-") + "-" + scenario.connections();
        if (!scenario.cluster()) {
            try (ServerProcess server = ServerProcess.start(scenario, interval, logs.resolve(id + "-server.log"))) {
                return run(scenario, List.of(server), id, null);
            }
        }
        if (!RedisInfo.reachable()) {
            throw new IOException("Redis is not reachable on " + RedisInfo.HOST + ":" + RedisInfo.PORT);
        }
        String prefix = "status-stream-bench-" + System.currentTimeMillis() + "-" + id;
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (int i = 1; i <= scenario.instances(); i++) {
                servers.add(ServerProcess.launch(scenario, interval, logs.resolve(id + "-server-" + i + ".log"),
                        List.of("--status-stream.cluster.enabled=true",
                                "--status-stream.cluster.prefix=" + prefix,
                                "--spring.data.redis.host=" + RedisInfo.HOST,
                                "--spring.data.redis.port=" + RedisInfo.PORT)));
            }
            for (ServerProcess server : servers) {
                server.awaitStarted();
            }
            awaitCluster(servers);
            return run(scenario, servers, id, prefix);
        } finally {
            for (ServerProcess server : servers) {
                server.close();
            }
            try {
                RedisInfo.deleteKeys(prefix);
            } catch (IOException unreachable) {
                System.out.println("  could not delete the Redis keys under " + prefix + ": " + unreachable);
            }
        }
    }

    private RunResult run(Scenario scenario, List<ServerProcess> servers, String id, String clusterPrefix)
            throws Exception {
        long heapBefore = heapAfterGc(servers);
        long rssBefore = rssBytes(servers);
        ClassHistogram histogramBefore = classHistogram(servers);
        List<String> urls = new ArrayList<>();
        for (ServerProcess server : servers) {
            urls.add(server.url(scenario.design().path));
        }
        try (ClientProcess client = ClientProcess.start(urls, scenario.connections(), scenario.keys(),
                logs.resolve(id + "-client.log"))) {
            Map<String, String> ready = client.awaitReady();
            int opened = Integer.parseInt(ready.get("open"));
            double heapPerStream = (double) (heapAfterGc(servers) - heapBefore) / Math.max(1, opened);
            double rssPerStream = (double) (rssBytes(servers) - rssBefore) / Math.max(1, opened);
            ClassHistogram histogram = classHistogram(servers);
            double libraryClassesPerStream = (double) (histogram.libraryBytes() - histogramBefore.libraryBytes())
                    / Math.max(1, opened);
            Files.writeString(logs.resolve(id + "-histogram.txt"),
                    histogram.growthSince(histogramBefore, Math.max(1, opened), HISTOGRAM_ROWS));
            if (!scenario.measuresChanges()) {
                client.quit();
                client.result();
                return new RunResult(scenario, 0, Double.NaN, -1, -1, -1, 0, 0, opened, heapPerStream,
                        rssPerStream, libraryClassesPerStream, Double.NaN, Double.NaN, threads(servers), ProcessCpu.loadAverage(),
                        null, -1);
            }
            if (clusterPrefix != null) {
                awaitCluster(servers);
            }
            return measureChanges(scenario, servers, client, opened, heapPerStream, rssPerStream,
                    libraryClassesPerStream);
        }
    }

    private RunResult measureChanges(Scenario scenario, List<ServerProcess> servers, ClientProcess client, int opened,
                                     double heapPerStream, double rssPerStream, double libraryClassesPerStream)
            throws Exception {
        try (RowWriter writer = new RowWriter(scenario.keys())) {
            // One interval for the first GC-disturbed polls to settle before the window opens.
            Thread.sleep(interval.toMillis());
            RedisInfo.Counters redisBefore = scenario.cluster() ? RedisInfo.counters() : null;
            long readsBefore = database.stateReads();
            double cpuBefore = cpuSeconds(servers);
            double clientCpuBefore = client.cpuSeconds();
            long start = System.nanoTime();
            client.go();
            writer.start(scenario.rowsPerSecond());
            Thread.sleep(window.toMillis());
            writer.stop();
            long reads = database.stateReads() - readsBefore;
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = (cpuSeconds(servers) - cpuBefore) / seconds;
            double clientCpu = (client.cpuSeconds() - clientCpuBefore) / seconds;
            RedisInfo.Cost redis = scenario.cluster() ? RedisInfo.counters().since(redisBefore) : null;
            int threads = threads(servers);
            double load = ProcessCpu.loadAverage();
            int pollers = -1;
            if (scenario.cluster()) {
                pollers = 0;
                StringBuilder modes = new StringBuilder();
                for (ServerProcess server : servers) {
                    ServerProcess.ClusterStatus status = server.clusterStatus();
                    pollers += status.poller() ? 1 : 0;
                    modes.append(' ').append(server.port()).append('=').append(status.mode())
                            .append(status.poller() ? "(poller)" : "");
                }
                System.out.println("  instances at the end of the window:" + modes);
            }
            // Let the last writes arrive before closing the latency window.
            Thread.sleep(interval.toMillis() + 200);
            client.finalState();
            writer.writeFinal(FINAL_VERSION);
            Map<String, String> result = client.result();
            double windowSeconds = Long.parseLong(result.get("windowMs")) / 1000.0;
            return new RunResult(scenario, seconds, reads / seconds,
                    micros(result.get("p50us")), micros(result.get("p99us")), micros(result.get("maxUs")),
                    Long.parseLong(result.get("events")) / windowSeconds, Integer.parseInt(result.get("notFinal")),
                    opened, heapPerStream, rssPerStream, libraryClassesPerStream, cpu, clientCpu, threads, load, redis, pollers);
        }
    }

    /** Waits until every instance fans out from the cluster's shared log and exactly one of them polls. */
    static void awaitCluster(List<ServerProcess> servers) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CLUSTER_JOIN_TIMEOUT.toNanos();
        List<ServerProcess.ClusterStatus> statuses = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            statuses.clear();
            int joined = 0;
            int pollers = 0;
            for (ServerProcess server : servers) {
                ServerProcess.ClusterStatus status = server.clusterStatus();
                statuses.add(status);
                joined += status.fansOutFromCluster() ? 1 : 0;
                pollers += status.poller() ? 1 : 0;
            }
            if (joined == servers.size() && pollers == 1) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IOException("the cluster's instances did not all join with one poller within "
                + CLUSTER_JOIN_TIMEOUT + ": " + statuses);
    }

    private static long heapAfterGc(List<ServerProcess> servers) throws IOException, InterruptedException {
        long sum = 0;
        for (ServerProcess server : servers) {
            sum += server.stats().heapAfterGc();
        }
        return sum;
    }

    private static long rssBytes(List<ServerProcess> servers) throws IOException {
        long sum = 0;
        for (ServerProcess server : servers) {
            sum += server.rssBytes();
        }
        return sum;
    }

    private static ClassHistogram classHistogram(List<ServerProcess> servers) throws IOException, InterruptedException {
        ClassHistogram sum = ClassHistogram.empty();
        for (ServerProcess server : servers) {
            sum = sum.plus(server.classHistogram());
        }
        return sum;
    }

    private static double cpuSeconds(List<ServerProcess> servers) throws IOException {
        double sum = 0;
        for (ServerProcess server : servers) {
            sum += server.cpuSeconds();
        }
        return sum;
    }

    private static int threads(List<ServerProcess> servers) throws IOException {
        int sum = 0;
        for (ServerProcess server : servers) {
            sum += server.threads();
        }
        return sum;
    }

    private static double micros(String value) {
        long micros = Long.parseLong(value);
        return micros < 0 ? -1 : micros / 1000.0;
    }
}
