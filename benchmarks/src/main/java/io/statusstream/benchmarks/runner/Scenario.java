package io.statusstream.benchmarks.runner;

import java.util.Locale;

/**
 * One measured run: which design serves, how many streams over how many keys, how many rows the writer changes per
 * second, whether PostgreSQL {@code NOTIFY} pushes changes, and how many server instances share the work. Immutable.
 *
 * @param name           what the run shows, as printed in the table
 * @param design         who serves the streams
 * @param connections    N, open SSE streams
 * @param keys           K, rows watched; connection {@code i} watches row {@code i % K + 1}
 * @param rowsPerSecond  M, rows the writer updates per second (round robin over the keys); 0 for heap-only runs
 * @param push           whether the library is told of writes by {@code LISTEN/NOTIFY}
 * @param instances      server processes; more than one runs them in cluster mode (status-stream-redis: one poller
 *                       elected by a Redis lease, one shared log), the streams spread over them round robin
 * @param stack          the web stack the servers run on
 */
record Scenario(String name, Design design, int connections, int keys, int rowsPerSecond, boolean push,
                int instances, Stack stack) {

    /** One server instance on Tomcat, no cluster. */
    Scenario(String name, Design design, int connections, int keys, int rowsPerSecond, boolean push) {
        this(name, design, connections, keys, rowsPerSecond, push, 1);
    }

    /** On Tomcat. */
    Scenario(String name, Design design, int connections, int keys, int rowsPerSecond, boolean push,
             int instances) {
        this(name, design, connections, keys, rowsPerSecond, push, instances, Stack.TOMCAT);
    }

    /** The same run on another web stack. */
    Scenario on(Stack other) {
        return new Scenario(name, design, connections, keys, rowsPerSecond, push, instances, other);
    }

    /** Who serves the streams. */
    enum Design {
        /** status-stream: one batched poll per interval for all watched keys. */
        LIBRARY("library", "/api/v1/bots/{key}/status-stream"),
        /** The seed: one polling loop per client. */
        BASELINE("baseline", "/seed/bots/{key}/status-stream"),
        /** An SSE request that stays open and sends nothing: the container's own cost. */
        IDLE("baseline", "/bench/idle");

        final String serverMode;
        final String path;

        Design(String serverMode, String path) {
            this.serverMode = serverMode;
            this.path = path;
        }
    }

    /** The name with the design and the stack: what the runner prints, and what {@code benchmark.only} matches. */
    String title() {
        return name + " (" + design.name().toLowerCase(Locale.ROOT) + ", " + stack.label + ")";
    }

    /** Whether the servers run in cluster mode (several instances of the library sharing Redis). */
    boolean cluster() {
        return instances > 1;
    }

    boolean measuresChanges() {
        return rowsPerSecond > 0;
    }
}
