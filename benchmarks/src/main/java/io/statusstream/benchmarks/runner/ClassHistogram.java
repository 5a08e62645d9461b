package io.statusstream.benchmarks.runner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Live objects per class of a server process, from {@code jcmd <pid> GC.class_histogram} (which runs a full GC first),
 * and the difference of two of them: where the heap of N open streams went. Immutable.
 */
final class ClassHistogram {

    private final Map<String, long[]> byClass;

    private ClassHistogram(Map<String, long[]> byClass) {
        this.byClass = byClass;
    }

    /** Parses the output of {@code GC.class_histogram}: {@code num: #instances #bytes class name (module)}. */
    static ClassHistogram parse(String jcmdOutput) {
        Map<String, long[]> byClass = new HashMap<>();
        for (String line : jcmdOutput.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4 && columns[0].endsWith(":")) {
                byClass.merge(columns[3], new long[] {Long.parseLong(columns[1]), Long.parseLong(columns[2])},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return new ClassHistogram(byClass);
    }

    /** The sum of two processes' histograms (cluster runs). */
    ClassHistogram plus(ClassHistogram other) {
        Map<String, long[]> sum = new HashMap<>(byClass);
        other.byClass.forEach((name, counts) -> sum.merge(name, counts,
                (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]}));
        return new ClassHistogram(sum);
    }

    static ClassHistogram empty() {
        return new ClassHistogram(Map.of());
    }

    /** Bytes of objects of the library's own classes ({@code io.statusstream.*} outside the benchmark). */
    long libraryBytes() {
        long bytes = 0;
        for (Map.Entry<String, long[]> entry : byClass.entrySet()) {
            String name = entry.getKey();
            if (name.startsWith("io.statusstream.") && !name.startsWith("io.statusstream.benchmarks.")) {
                bytes += entry.getValue()[1];
            }
        }
        return bytes;
    }

    /**
     * The classes that grew most from {@code before} to this one, per stream: instances and bytes per stream, as a
     * plain-text table of at most {@code limit} rows, largest first.
     */
    String growthSince(ClassHistogram before, int streams, int limit) {
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> entry : byClass.entrySet()) {
            long[] earlier = before.byClass.getOrDefault(entry.getKey(), new long[2]);
            long[] growth = {entry.getValue()[0] - earlier[0], entry.getValue()[1] - earlier[1]};
            total += growth[1];
            if (growth[1] > 0) {
                grown.add(Map.entry(entry.getKey(), growth));
            }
        }
        grown.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%,d streams: %,.0f bytes per stream in all classes%n%14s %14s  %s%n", streams,
                (double) total / streams, "instances/str", "bytes/stream", "class"));
        for (Map.Entry<String, long[]> entry : grown.subList(0, Math.min(limit, grown.size()))) {
            table.append(String.format(Locale.ROOT, "%14.2f %,14.0f  %s%n", (double) entry.getValue()[0] / streams,
                    (double) entry.getValue()[1] / streams, entry.getKey()));
        }
        return table.toString();
    }
}
