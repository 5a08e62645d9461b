package io.statusstream.benchmarks.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and threads of a process on Linux, read from {@code /proc/<pid>} without disturbing it. */
final class ProcessCpu {

    private static final double CLOCK_TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** User plus system CPU time of the process so far, in seconds. */
    static double seconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS_PER_SECOND;
    }

    /**
     * The machine's one-minute load average: everything else that ran on the same cores during a window (another
     * build, say) shows here.
     */
    static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** Live threads of the process. */
    static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        return -1;
    }
}
