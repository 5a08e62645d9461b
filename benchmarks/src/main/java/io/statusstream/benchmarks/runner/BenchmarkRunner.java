package io.statusstream.benchmarks.runner;

import io.statusstream.benchmarks.runner.Scenario.Design;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the whole benchmark and writes {@code docs/benchmarks.md} and {@code docs/benchmarks.svg}.
 *
 * <p>Argument {@code short} (N up to 1,000, about 4 minutes) or {@code full} (N up to 10,000). Needs PostgreSQL on
 * 127.0.0.1:5432 (user {@code postgres}, trust); creates and drops the database {@value BenchDatabase#DATABASE}.
 * Run from the repository root: {@code ./mvnw -B -Pbenchmarks -pl benchmarks exec:exec [-Dbenchmark.scale=full]}.
 */
public final class BenchmarkRunner {

    static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Keys of the main matrix: each watched by N / K clients, each changed once per second. */
    static final int KEYS = 100;

    private BenchmarkRunner() {
    }

    public static void main(String[] args) throws Exception {
        boolean full = args.length > 0 && args[0].equals("full");
        Path logs = Files.createDirectories(Path.of("benchmarks", "target", "benchmark-logs"));
        Duration window = Duration.ofSeconds(full ? 20 : 10);
        Instant started = Instant.now();
        List<RunResult> results = new ArrayList<>();
        try (BenchDatabase database = BenchDatabase.create()) {
            ScenarioRun runner = new ScenarioRun(database, INTERVAL, window, logs);
            for (Scenario scenario : plan(full)) {
                System.out.printf("running %s, N=%d, K=%d, M=%d/s ...%n", scenario.name(), scenario.connections(),
                        scenario.keys(), scenario.rowsPerSecond());
                try {
                    RunResult result = runner.run(scenario);
                    results.add(result);
                    System.out.println("  " + Report.oneLine(result));
                } catch (Exception failure) {
                    System.out.println("  FAILED: " + failure + " (logs in " + logs + ")");
                }
            }
        }
        List<MicroBenchmarks.Score> micro = MicroBenchmarks.run(full);
        Duration took = Duration.between(started, Instant.now());
        String command = "./mvnw -B -Pbenchmarks -pl benchmarks exec:exec" + (full ? " -Dbenchmark.scale=full" : "");
        Report report = new Report(results, micro, INTERVAL, window, command, took);
        String markdown = report.markdown();
        System.out.println(markdown);
        Path docs = Files.createDirectories(Path.of("docs"));
        Files.writeString(docs.resolve("benchmarks.md"), markdown);
        Files.writeString(docs.resolve("benchmarks.svg"), new SvgChart(results).render());
        System.out.println("written " + docs.resolve("benchmarks.md") + " and " + docs.resolve("benchmarks.svg"));
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
        plan.add(new Scenario(Report.FAN_OUT, Design.LIBRARY, largest, 1, 1, true));
        if (full) {
            plan.add(new Scenario(Report.LIVE_QUERY, Design.LIBRARY, largest, largest, largest, false));
            plan.add(new Scenario(Report.LIVE_QUERY, Design.BASELINE, largest, largest, largest, false));
        }
        return plan;
    }
}
