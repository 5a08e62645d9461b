package io.statusstream.benchmarks.runner;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the JMH benchmarks of package {@code io.statusstream.core} (forked JVMs) and returns their scores. */
final class MicroBenchmarks {

    private MicroBenchmarks() {
    }

    static List<Score> run(boolean full) throws RunnerException {
        Options options = new OptionsBuilder()
                .include("io\\.statusstream\\.core\\..*Benchmark")
                .forks(1)
                .warmupIterations(full ? 3 : 2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(full ? 5 : 3)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgs("-Xmx1g")
                .build();
        List<Score> scores = new ArrayList<>();
        for (RunResult result : new Runner(options).run()) {
            String name = result.getParams().getBenchmark();
            StringBuilder params = new StringBuilder();
            for (String key : result.getParams().getParamsKeys()) {
                params.append(params.length() == 0 ? "" : ", ").append(key).append('=')
                        .append(result.getParams().getParam(key));
            }
            var primary = result.getPrimaryResult();
            scores.add(new Score(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
                    params.toString(), primary.getScore(), primary.getScoreError(), primary.getScoreUnit()));
        }
        return scores;
    }

    /** One JMH score: benchmark ({@code Class.method}), parameters, mean, 99.9 % error, unit. */
    record Score(String benchmark, String params, double score, double error, String unit) {
    }

}
