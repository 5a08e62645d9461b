package io.statusstream.benchmarks.runner;

import io.statusstream.benchmarks.runner.Scenario.Design;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the whole benchmark and writes {@code docs/benchmarks.md} and its charts ({@link Charts}, PNG).
 *
 * <p>Argument {@code short} (N up to 1,000, about 5 minutes) or {@code full} (N up to 10,000). Needs PostgreSQL on
 * 127.0.0.1:5432 (user {@code postgres}, trust); creates and drops the database {@value BenchDatabase#DATABASE}.
 * The cluster scenarios ({@value #CLUSTER_INSTANCES} instances) also need Redis on 127.0.0.1:6379; each uses a key
 * prefix of its own and deletes its keys afterwards. Without Redis they fail and the other rows are still written.
 * Run from the repository root: {@code ./mvnw -B -Pbenchmarks -pl benchmarks exec:exec [-Dbenchmark.scale=full]}.
 * After the matrix, {@link RestartDrainRun} restarts one of {@value #CLUSTER_INSTANCES} cluster instances under load
 * (N = 1,000, or 10,000 at full scale; {@code -Dbenchmark.restart.connections=<n>} overrides it;
 * {@code -Dbenchmark.restart.drain-period=0} compares with ending every stream at once). At full scale,
 * {@link OverloadRun} then opens more streams than Tomcat's default connection limit.
 */
public final class BenchmarkRunner {

    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Keys of the main matrix: each watched by N / K clients, each changed once per second. */
    static final int KEYS = 100;
    /** Server instances of the cluster scenarios (status-stream-redis: one poller, one shared log in Redis). */
    static final int CLUSTER_INSTANCES = 3;

    private BenchmarkRunner() {
    }

    /**
     * {@code -Dbenchmark.only=<text>} runs only the scenarios whose {@linkplain Scenario#title() title} contains
     * the text, skips JMH and writes the
     * report to {@code benchmarks/target} instead of {@code docs}: for trying one scenario out.
     */
    public static void main(String[] args) throws Exception {
        boolean full = args.length > 0 && args[0].equals("full");
        String only = System.getProperty("benchmark.only", "");
        Path logs = Files.createDirectories(Path.of("benchmarks", "target", "benchmark-logs"));
        Duration window = Duration.ofSeconds(full ? 20 : 10);
        Instant started = Instant.now();
        List<RunResult> results = new ArrayList<>();
        List<String> sections = new ArrayList<>();
        try (BenchDatabase database = BenchDatabase.create()) {
            ScenarioRun runner = new ScenarioRun(database, INTERVAL, window, logs);
            for (Scenario scenario : plan(full)) {
                if (!scenario.title().contains(only)) {
                    continue;
                }
                System.out.printf("running %s, N=%d, K=%d, M=%d/s ...%n", scenario.title(), scenario.connections(),
                        scenario.keys(), scenario.rowsPerSecond());
                try {
                    RunResult result = runner.run(scenario);
                    results.add(result);
                    System.out.println("  " + Report.oneLine(result));
                } catch (Exception failure) {
                    System.out.println("  FAILED: " + failure + " (logs in " + logs + ")");
                }
            }
            if (RestartDrainRun.NAME.contains(only)) {
                int n = Integer.getInteger("benchmark.restart.connections", full ? 10_000 : 1_000);
                System.out.printf("running %s, N=%d, %d instances ...%n", RestartDrainRun.NAME, n, CLUSTER_INSTANCES);
                try {
                    RestartDrainRun.Result restart = new RestartDrainRun(database, INTERVAL, logs,
                            System.getProperty("benchmark.restart.drain-period", "")).run(n);
                    sections.add(restart.markdown(INTERVAL));
                    System.out.println("  " + restart.oneLine());
                } catch (Exception failure) {
                    System.out.println("  FAILED: " + failure + " (logs in " + logs + ")");
                }
            }
            if (OverloadRun.NAME.contains(only) && (full || !only.isEmpty())) {
                // Tomcat's default backlog, and one that holds a burst of connects while slots free up.
                for (int acceptCount : List.of(100, 1_000)) {
                    System.out.printf("running %s, %d clients, accept-count %d ...%n", OverloadRun.NAME,
                            OverloadRun.CLIENTS, acceptCount);
                    try {
                        OverloadRun.Result overload = new OverloadRun(database, INTERVAL, logs).run(acceptCount);
                        sections.add(overload.markdown());
                        System.out.println("  " + overload.oneLine());
                    } catch (Exception failure) {
                        System.out.println("  FAILED: " + failure + " (logs in " + logs + ")");
                    }
                }
            }
        }
        List<MicroBenchmarks.Score> micro = only.isEmpty() ? MicroBenchmarks.run(full) : List.of();
        Duration took = Duration.between(started, Instant.now());
        String command = "./mvnw -B -Pbenchmarks -pl benchmarks exec:exec" + (full ? " -Dbenchmark.scale=full" : "");
        Path docs = Files.createDirectories(only.isEmpty() ? Path.of("docs") : Path.of("benchmarks", "target"));
        List<String> charts = new Charts(new Report.Rows(results)).write(docs);
        Report report = new Report(results, sections, micro, INTERVAL, window, command, took, charts);
        String markdown = report.markdown();
        System.out.println(markdown);
        Files.writeString(docs.resolve("benchmarks.md"), markdown);
        System.out.println("written " + docs.resolve("benchmarks.md") + " and " + String.join(", ", charts));
    }

    static List<Scenario> plan(boolean full) {
        List<Integer> sizes = full ? List.of(100, 1_000, 10_000) : List.of(100, 1_000);
        int largest = sizes.get(sizes.size() - 1);
        List<Scenario> plan = new ArrayList<>();
        for (int n : sizes) {
            plan.add(new Scenario(Report.POLL, Design.LIBRARY, n, KEYS, KEYS, false));
            plan.add(new Scenario(Report.POLL, Design.BASELINE, n, KEYS, KEYS, false));
            plan.add(new Scenario(Report.PUSH, Design.LIBRARY, n, KEYS, KEYS, true));
            plan.add(new Scenario(Report.IDLE, Design.IDLE, n, KEYS, 0, false));
        }
        // The same poll and push rows with three instances sharing one poller (cluster mode on Redis).
        for (int n : full ? List.of(1_000, 10_000) : List.of(1_000)) {
            plan.add(new Scenario(Report.POLL_CLUSTER, Design.LIBRARY, n, KEYS, KEYS, false, CLUSTER_INSTANCES));
            plan.add(new Scenario(Report.PUSH_CLUSTER, Design.LIBRARY, n, KEYS, KEYS, true, CLUSTER_INSTANCES));
        }
        plan.add(new Scenario(Report.FAN_OUT, Design.LIBRARY, largest, 1, 1, true));
        plan.addAll(byStack(largest));
        if (full) {
            plan.add(new Scenario(Report.LIVE_QUERY, Design.LIBRARY, largest, largest, largest, false));
            plan.add(new Scenario(Report.LIVE_QUERY, Design.BASELINE, largest, largest, largest, false));
        }
        return plan;
    }

    /**
     * The web stacks side by side at N: idle library streams and idle SSE without the library on each stack
     * (heap-only), the tuned-Tomcat recipe's intermediate steps (library streams), and on Jetty and WebFlux the push
     * and fan-out runs that the main matrix makes on Tomcat.
     */
    static List<Scenario> byStack(int n) {
        List<Scenario> plan = new ArrayList<>();
        for (Stack stack : Stack.compared()) {
            plan.add(new Scenario(Report.BY_STACK, Design.LIBRARY, n, KEYS, 0, false).on(stack));
            plan.add(new Scenario(Report.BY_STACK, Design.IDLE, n, KEYS, 0, false).on(stack));
        }
        for (Stack step : Stack.recipeSteps()) {
            if (!Stack.compared().contains(step)) {
                plan.add(new Scenario(Report.BY_STACK, Design.LIBRARY, n, KEYS, 0, false).on(step));
            }
        }
        for (Stack stack : List.of(Stack.JETTY, Stack.NETTY)) {
            plan.add(new Scenario(Report.PUSH, Design.LIBRARY, n, KEYS, KEYS, true).on(stack));
            plan.add(new Scenario(Report.FAN_OUT, Design.LIBRARY, n, 1, 1, true).on(stack));
        }
        return plan;
    }
}
