package io.statusstream.benchmarks.runner;

import io.statusstream.benchmarks.runner.Scenario.Design;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The "restart-drain" scenario: {@value BenchmarkRunner#CLUSTER_INSTANCES} instances in cluster mode, N reconnecting
 * streams spread over them, rows changing all along; one instance (not the poller) is restarted — SIGTERM, its
 * streams drained over {@code status-stream.shutdown.drain-period}, a new process on the same port — while the
 * runner counts database statements per interval, and the client counts ends and reconnections per second after the
 * SIGTERM. At the end every stream must reach the final state written after the window. Every process it starts is
 * stopped before it returns, also on failure.
 */
final class RestartDrainRun {

    static final String NAME = "restart-drain";
    private static final long FINAL_VERSION = 1_000_000_000L;
    /** Intervals of steady state before the restart; the first few are left out of the steady mean. */
    private static final int BEFORE = 20;
    private static final int WARM_UP = 5;
    /** Intervals measured from the SIGTERM on: the minute around the restart is BEFORE + AFTER. */
    private static final int AFTER = 40;

    private final BenchDatabase database;
    private final Duration interval;
    private final Path logs;
    /** {@code status-stream.shutdown.drain-period} of the instances, or empty for the default. */
    private final String drainPeriod;

    RestartDrainRun(BenchDatabase database, Duration interval, Path logs, String drainPeriod) {
        this.database = database;
        this.interval = interval;
        this.logs = logs;
        this.drainPeriod = drainPeriod;
    }

    Result run(int connections) throws Exception {
        Scenario scenario = new Scenario(NAME, Design.LIBRARY, connections, BenchmarkRunner.KEYS,
                BenchmarkRunner.KEYS, false, BenchmarkRunner.CLUSTER_INSTANCES);
        database.resetTable(scenario.keys(), false);
        if (!RedisInfo.reachable()) {
            throw new IOException("Redis is not reachable on " + RedisInfo.HOST + ":" + RedisInfo.PORT);
        }
        String id = NAME + "-" + connections;
        String prefix = "status-stream-bench-" + System.currentTimeMillis() + "-" + id;
        List<String> clusterArguments = new ArrayList<>(List.of("--status-stream.cluster.enabled=true",
                "--status-stream.cluster.prefix=" + prefix,
                "--spring.data.redis.host=" + RedisInfo.HOST,
                "--spring.data.redis.port=" + RedisInfo.PORT));
        if (!drainPeriod.isEmpty()) {
            clusterArguments.add("--status-stream.shutdown.drain-period=" + drainPeriod);
        }
        List<ServerProcess> servers = new ArrayList<>();
        try {
            for (int i = 1; i <= scenario.instances(); i++) {
                servers.add(ServerProcess.launch(scenario, interval, logs.resolve(id + "-server-" + i + ".log"),
                        clusterArguments));
            }
            for (ServerProcess server : servers) {
                server.awaitStarted();
            }
            ScenarioRun.awaitCluster(servers);
            List<String> urls = new ArrayList<>();
            for (ServerProcess server : servers) {
                urls.add(server.url(scenario.design().path));
            }
            try (ClientProcess client = ClientProcess.start(urls, connections, scenario.keys(),
                    logs.resolve(id + "-client.log"), true);
                 RowWriter writer = new RowWriter(scenario.keys())) {
                int opened = Integer.parseInt(client.awaitReady().get("open"));
                ScenarioRun.awaitCluster(servers);
                int victim = 0;
                while (servers.get(victim).clusterStatus().poller()) {
                    victim++;
                }
                Path victimLog = logs.resolve(id + "-server-" + (victim + 1) + ".log");
                client.go();
                writer.start(scenario.rowsPerSecond());
                long[] statements = new long[BEFORE + AFTER];
                long start = System.nanoTime();
                long previous = database.stateReads();
                CompletableFuture<double[]> restart = null;
                for (int i = 0; i < statements.length; i++) {
                    if (i == BEFORE) {
                        client.mark();
                        restart = restart(servers, victim, scenario, clusterArguments,
                                logs.resolve(id + "-server-" + (victim + 1) + "-restarted.log"));
                    }
                    long due = start + (i + 1) * interval.toNanos();
                    Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
                    long reads = database.stateReads();
                    statements[i] = reads - previous;
                    previous = reads;
                }
                double[] restartSeconds = restart.get();
                writer.stop();
                Thread.sleep(interval.toMillis() + 200);
                List<Integer> perInstance = new ArrayList<>();
                for (ServerProcess server : servers) {
                    perInstance.add(server.clusterStatus().subscribers());
                }
                client.finalState();
                writer.writeFinal(FINAL_VERSION);
                Map<String, String> result = client.result();
                return new Result(connections, opened, drainPeriod.isEmpty() ? "10s (default)" : drainPeriod,
                        statements, restartSeconds[0], restartSeconds[1],
                        drainLine(victimLog), perInstance, Integer.parseInt(result.get("notFinal")),
                        Long.parseLong(result.get("endEvents")), Long.parseLong(result.get("reconnected")),
                        Long.parseLong(result.get("refused")), Long.parseLong(result.get("failed")),
                        histogram(result.get("endsPerSecond")), histogram(result.get("reconnectsPerSecond")),
                        ProcessCpu.loadAverage());
            }
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

    /**
     * Stops instance {@code victim} (SIGTERM: its streams are drained) and starts a new one on its port, on another
     * thread. Completes with the seconds from the SIGTERM until the old process exited and until the new one
     * answered.
     */
    private CompletableFuture<double[]> restart(List<ServerProcess> servers, int victim, Scenario scenario,
                                                List<String> clusterArguments, Path log) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                ServerProcess old = servers.get(victim);
                long sigterm = System.nanoTime();
                old.close();
                double stopped = (System.nanoTime() - sigterm) / 1e9;
                ServerProcess replacement = ServerProcess.launch(scenario, interval, log, clusterArguments,
                        old.port());
                servers.set(victim, replacement);
                replacement.awaitStarted();
                return new double[]{stopped, (System.nanoTime() - sigterm) / 1e9};
            } catch (IOException | InterruptedException failure) {
                throw new IllegalStateException("restarting instance " + (victim + 1) + " failed", failure);
            }
        });
    }

    /** The drain's INFO line from the stopped instance's log, without its timestamp prefix. */
    private static String drainLine(Path log) throws IOException {
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("Status streams ");
            if (at >= 0) {
                return line.substring(at);
            }
        }
        return "(no drain line in " + log.getFileName() + ")";
    }

    private static int[] histogram(String csv) {
        String[] cells = csv.split(",");
        int[] counts = new int[cells.length];
        for (int i = 0; i < cells.length; i++) {
            counts[i] = Integer.parseInt(cells[i]);
        }
        return counts;
    }

    /** What one run measured. Immutable apart from its arrays, which nobody changes. */
    record Result(int connections, int opened, String drainPeriod, long[] statements, double stoppedAfterSeconds,
                  double backAfterSeconds, String drainLine, List<Integer> streamsPerInstance, int notFinal,
                  long endEvents, long reconnected, long refused, long failed, int[] endsPerSecond,
                  int[] reconnectsPerSecond, double loadAverage) {

        double steadyMean() {
            return mean(WARM_UP, BEFORE);
        }

        double mean(int from, int to) {
            long sum = 0;
            for (int i = from; i < to; i++) {
                sum += statements[i];
            }
            return (double) sum / (to - from);
        }

        long max(int from, int to) {
            long max = 0;
            for (int i = from; i < to; i++) {
                max = Math.max(max, statements[i]);
            }
            return max;
        }

        String oneLine() {
            return "drain=" + drainPeriod + String.format(Locale.ROOT, " open=%d stmts/interval steady=%.2f"
                            + " minute=%.2f (%.2fx) max=%d stopped=%.1fs back=%.1fs notFinal=%d endEvents=%d"
                            + " reconnected=%d refused=%d failed=%d perInstance=%s load=%.1f", opened, steadyMean(), mean(0, statements.length),
                    mean(0, statements.length) / steadyMean(), max(0, statements.length), stoppedAfterSeconds,
                    backAfterSeconds, notFinal, endEvents, reconnected, refused, failed, streamsPerInstance,
                    loadAverage);
        }

        String markdown(Duration interval) {
            StringBuilder md = new StringBuilder();
            md.append("\n## Restart with drain (").append(NAME).append(", drain period ").append(drainPeriod)
                    .append(")\n\n")
                    .append(BenchmarkRunner.CLUSTER_INSTANCES).append(" instances in cluster mode, N = ")
                    .append(connections).append(" streams (").append(opened).append(" open) over K = ")
                    .append(BenchmarkRunner.KEYS).append(" rows, M = ").append(BenchmarkRunner.KEYS)
                    .append(" rows changed per second, poll interval ").append(interval.toMillis())
                    .append(" ms. The client reconnects like the browser client: after the stream's `retry:` hint")
                    .append(" (after a 503's `Retry-After`), with its `Last-Event-ID`, to an instance drawn at random")
                    .append(" (a load balancer). After ").append(BEFORE).append(" intervals one instance that is not")
                    .append(" the poller gets SIGTERM (`status-stream.shutdown.drain-period` ").append(drainPeriod)
                    .append(") and is started again on its port.\n\n")
                    .append(String.format(Locale.ROOT, "- SIGTERM → old process exited: %.1f s; → new one answering:"
                            + " %.1f s. Its log: `%s`%n", stoppedAfterSeconds, backAfterSeconds, drainLine))
                    .append(String.format(Locale.ROOT, "- DB statements per interval: steady %.2f (intervals %d–%d);"
                                    + " the minute around the restart %.2f (**%.2f×** steady), 10 s blocks: %s;"
                                    + " highest single interval %d%n", steadyMean(), WARM_UP, BEFORE - 1,
                            mean(0, statements.length), mean(0, statements.length) / steadyMean(), blocks(),
                            max(0, statements.length)))
                    .append(String.format(Locale.ROOT, "- Converged: %d of %d streams at the final state written"
                                    + " after the window (%d not); `end` events received %d, reconnections %d,"
                                    + " refused (503) %d, failed (connection refused) %d; streams per instance at the"
                                    + " end %s; load average %.1f%n%n", opened - notFinal, opened, notFinal,
                            endEvents, reconnected, refused, failed, streamsPerInstance, loadAverage))
                    .append("Seconds after the SIGTERM: streams ended (`end` or closed) and reconnected, per second:\n\n")
                    .append("```\n  s    ended  reconnected\n");
            int last = 0;
            for (int i = 0; i < endsPerSecond.length; i++) {
                if (endsPerSecond[i] > 0 || reconnectsPerSecond[i] > 0) {
                    last = i;
                }
            }
            int most = 1;
            for (int i = 0; i <= last; i++) {
                most = Math.max(most, Math.max(endsPerSecond[i], reconnectsPerSecond[i]));
            }
            for (int i = 0; i <= last; i++) {
                md.append(String.format(Locale.ROOT, "%3d %8d %12d  %s%n", i, endsPerSecond[i],
                        reconnectsPerSecond[i], "#".repeat((int) Math.round(40.0 * reconnectsPerSecond[i] / most))));
            }
            return md.append("```\n").toString();
        }

        private String blocks() {
            List<String> blocks = new ArrayList<>();
            for (int from = 0; from < statements.length; from += 10) {
                long sum = 0;
                for (int i = from; i < Math.min(statements.length, from + 10); i++) {
                    sum += statements[i];
                }
                blocks.add((from == BEFORE ? "**SIGTERM** " : "") + sum);
            }
            return String.join(", ", blocks);
        }
    }
}
