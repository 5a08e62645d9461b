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
        return (int) statusField(pid, "Threads:");
    }

    /** The process's resident set size ({@code VmRSS}), in bytes. */
    static long rssBytes(long pid) throws IOException {
        long kilobytes = statusField(pid, "VmRSS:");
        return kilobytes < 0 ? -1 : kilobytes * 1024;
    }

    /** A numeric field of {@code /proc/<pid>/status} ({@code VmRSS:  1234 kB} reads 1234), or -1. */
    private static long statusField(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
