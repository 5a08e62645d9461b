package io.statusstream.benchmarks.runner;

import io.statusstream.benchmarks.server.BenchmarkServerApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark server as a separate JVM (same JDK and class path as the runner) on a free loopback port, and what
 * the runner reads from it: heap after GC and threads over HTTP, CPU time and threads from {@code /proc}.
 */
final class ServerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ServerProcess start(Scenario scenario, Duration interval, Path log) throws IOException, InterruptedException {
        ServerProcess server = launch(scenario, interval, log, List.of());
        try {
            server.awaitStarted();
        } catch (IOException | InterruptedException | RuntimeException failed) {
            server.close();
            throw failed;
        }
        return server;
    }

    /**
     * Starts the server JVM without waiting for it to accept requests ({@link #awaitStarted()}), so that several
     * instances start side by side. {@code extraArguments} are added to the command line ({@code --name=value}).
     */
    static ServerProcess launch(Scenario scenario, Duration interval, Path log, List<String> extraArguments)
            throws IOException {
        return launch(scenario, interval, log, extraArguments, freePort());
    }

    /** {@link #launch(Scenario, Duration, Path, List)} on a given port: an instance restarted where it was. */
    static ServerProcess launch(Scenario scenario, Duration interval, Path log, List<String> extraArguments, int port)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Jvm.java(), "-Xms2g", "-Xmx2g",
                // Pool liveness checks would add a statement per borrow after 0.5 s idle: not the design's cost.
                "-Dcom.zaxxer.hikari.aliveBypassWindowMs=600000",
                "-cp", scenario.stack().classPath(Jvm.classPath()), BenchmarkServerApplication.class.getName(),
                "--server.port=" + port,
                "--bench.mode=" + scenario.design().serverMode,
                "--bench.table=" + BenchDatabase.TABLE,
                "--bench.push=" + scenario.push(),
                "--bench.baseline.interval=" + interval.toMillis() + "ms",
                "--status-stream.poll-interval=" + interval.toMillis() + "ms",
                "--spring.datasource.url=" + BenchDatabase.URL,
                "--spring.datasource.hikari.maximum-pool-size="
                        + (scenario.design() == Scenario.Design.LIBRARY ? 4 : 16)));
        command.addAll(scenario.stack().arguments);
        command.addAll(extraArguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new ServerProcess(process, port);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Heap after a full GC and live threads, from the server itself (outside measured windows: it runs GCs). */
    Stats stats() throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create(url("/bench/stats")))
                .timeout(Duration.ofSeconds(60)).build(), BodyHandlers.ofString()).body();
        String[] fields = body.trim().split(" ");
        return new Stats(Long.parseLong(fields[0].split("=")[1]), Integer.parseInt(fields[1].split("=")[1]));
    }

    /** The server process's resident set size now, in bytes. */
    long rssBytes() throws IOException {
        return ProcessCpu.rssBytes(process.pid());
    }

    /** User plus system CPU time of the server process so far, in seconds. */
    double cpuSeconds() throws IOException {
        return ProcessCpu.seconds(process.pid());
    }

    /** Live objects per class, from {@code jcmd GC.class_histogram} (which runs a full GC). */
    ClassHistogram classHistogram() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Jvm.jcmd(), Long.toString(process.pid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return ClassHistogram.parse(output);
    }

    /** Live threads of the server process. */
    int threads() throws IOException {
        return ProcessCpu.threads(process.pid());
    }

    /**
     * The library stream's cluster mode on this instance ({@code LOCAL}, {@code LOCAL_FALLBACK}, {@code JOINING},
     * {@code CLUSTER}; {@code NONE} in baseline mode) and whether it holds the poller lease.
     */
    ClusterStatus clusterStatus() throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create(url("/bench/cluster")))
                .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString()).body();
        String[] fields = body.trim().split(" ");
        return new ClusterStatus(fields[0].split("=")[1], Boolean.parseBoolean(fields[1].split("=")[1]),
                Integer.parseInt(fields[2].split("=")[1]));
    }

    int port() {
        return port;
    }

    void awaitStarted() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the benchmark server exited with " + process.exitValue() + "; see its log");
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(url("/bench/ready"))).timeout(Duration.ofSeconds(2)).build(),
                        BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new IOException("the benchmark server did not start within " + START_TIMEOUT);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the server: SIGTERM (graceful: streams drained, then completed), then SIGKILL after 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** An instance's cluster mode, whether it is the cluster's poller, and its open streams. */
    record ClusterStatus(String mode, boolean poller, int subscribers) {
        boolean fansOutFromCluster() {
            return mode.equals("CLUSTER");
        }
    }

    /** Heap in bytes after GC, live threads. */
    record Stats(long heapAfterGc, int threads) {
    }
}
