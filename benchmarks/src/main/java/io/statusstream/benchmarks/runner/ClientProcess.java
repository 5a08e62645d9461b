package io.statusstream.benchmarks.runner;

import io.statusstream.benchmarks.client.LoadClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@link LoadClient} as a separate JVM, driven line by line over its standard input and output.
 */
final class ClientProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader output;
    private final PrintWriter input;

    private ClientProcess(Process process) {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.input = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /**
     * Starts the client; stream {@code i} goes to {@code urlTemplates.get(i % urlTemplates.size())} (round robin over
     * the server instances).
     */
    static ClientProcess start(List<String> urlTemplates, int connections, int keys, Path log) throws IOException {
        return start(urlTemplates, connections, keys, log, false);
    }

    /**
     * {@link #start(List, int, int, Path)}; with {@code reconnect}, a stream whose response ends opens again after
     * its retry hint, on an instance drawn at random.
     */
    static ClientProcess start(List<String> urlTemplates, int connections, int keys, Path log, boolean reconnect)
            throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(Jvm.java(), "-Xmx1g", "-cp", Jvm.classPath(),
                LoadClient.class.getName(), String.join(",", urlTemplates), Integer.toString(connections),
                Integer.toString(keys)));
        if (reconnect) {
            command.add("reconnect");
        }
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        return new ClientProcess(process);
    }

    /** Waits until every stream is open (or the client gave up); returns the {@code READY} fields. */
    Map<String, String> awaitReady() throws IOException {
        return expect("READY");
    }

    void go() {
        input.println("GO");
    }

    /** Ends and reconnections are counted per second from now on (reconnecting clients only). */
    void mark() {
        input.println("MARK");
    }

    /** Ends the window and waits until every stream has the final state (the caller writes it after this). */
    void finalState() {
        input.println("FINAL");
    }

    /** The {@code RESULT} fields, after {@link #finalState()} or {@link #quit()}. */
    Map<String, String> result() throws IOException {
        return expect("RESULT");
    }

    /** User plus system CPU time of the client process so far, in seconds. */
    double cpuSeconds() throws IOException {
        return ProcessCpu.seconds(process.pid());
    }

    void quit() {
        input.println("QUIT");
    }

    private Map<String, String> expect(String tag) throws IOException {
        for (String line; (line = output.readLine()) != null; ) {
            if (line.startsWith(tag + " ")) {
                Map<String, String> fields = new HashMap<>();
                for (String field : line.substring(tag.length() + 1).split(" ")) {
                    String[] pair = field.split("=", 2);
                    fields.put(pair[0], pair[1]);
                }
                return fields;
            }
        }
        throw new IOException("the load client ended without " + tag + "; see its log");
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
