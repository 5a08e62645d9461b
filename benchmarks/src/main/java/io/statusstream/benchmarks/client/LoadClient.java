package io.statusstream.benchmarks.client;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The client process of the load benchmark: opens N SSE connections over K keys with the JDK's non-blocking
 * {@link HttpClient} (one selector thread, callbacks on a small pool) and measures what arrives.
 *
 * <p>Arguments: {@code <url template with {key}>[,<url template>...] <connections> <keys> [reconnect]}. Connection
 * {@code i} watches key {@code i % keys + 1} on server {@code i % templates} (round robin over the servers given).
 * With {@code reconnect}, a stream whose response ends opens again after its retry hint, on a server drawn at random
 * ({@link Reconnects}). Talks to the runner by lines: prints {@code READY ...} once every connection has received
 * its first line; on {@code GO} starts recording latency; on {@code MARK} starts counting ends and reconnections per
 * second; on {@code FINAL} stops recording and waits (at most {@link #FINAL_WAIT}) until every connection has seen
 * {@link StreamConnection#FINAL_VERSION}, then prints {@code RESULT ...} and exits; on {@code QUIT} prints the
 * result without waiting.
 */
public final class LoadClient {

    /** How long the runner's final write may take to reach every client before the missing ones count as lost. */
    static final Duration FINAL_WAIT = Duration.ofSeconds(30);
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(180);
    /** Connections being opened at once; the rest wait, so the server's accept queue never overflows. */
    private static final int OPENING_AT_ONCE = 200;

    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        String[] templates = args[0].split(",");
        int connections = Integer.parseInt(args[1]);
        int keys = Integer.parseInt(args[2]);
        Reconnects reconnects = args.length > 3 && args[3].equals("reconnect") ? new Reconnects(instances(templates))
                : null;
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .executor(Executors.newFixedThreadPool(2, daemon()))
                .build();
        LatencyRecorder recorder = new LatencyRecorder();
        List<StreamConnection> streams = new ArrayList<>(connections);
        Semaphore opening = new Semaphore(OPENING_AT_ONCE);
        long started = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            long key = i % keys + 1;
            String url = templates[i % templates.length].replace("{key}", Long.toString(key));
            StreamConnection stream = new StreamConnection(recorder, opening::release, URI.create(url).getRawPath(),
                    reconnects);
            streams.add(stream);
            opening.acquire();
            stream.open(http, url);
        }
        boolean allOpen = awaitAll(streams, StreamConnection::hasFirstLine, CONNECT_WAIT);
        System.out.println("READY open=" + count(streams, StreamConnection::hasFirstLine) + " of=" + connections
                + " all=" + allOpen + " ms=" + (System.nanoTime() - started) / 1_000_000);
        System.out.flush();

        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command; (command = commands.readLine()) != null; ) {
            switch (command) {
                case "GO" -> recorder.start();
                case "MARK" -> {
                    if (reconnects != null) {
                        reconnects.mark();
                    }
                }
                case "FINAL" -> {
                    recorder.stop();
                    awaitAll(streams, StreamConnection::reachedFinalVersion, FINAL_WAIT);
                    printResult(recorder, streams, reconnects);
                    System.exit(0);
                }
                case "QUIT" -> {
                    recorder.stop();
                    printResult(recorder, streams, reconnects);
                    System.exit(0);
                }
                default -> System.err.println("unknown command " + command);
            }
        }
        System.exit(1);
    }

    /** The instances' base URLs ({@code scheme://host:port}) of the templates. */
    private static String[] instances(String[] templates) {
        String[] instances = new String[templates.length];
        for (int i = 0; i < templates.length; i++) {
            URI uri = URI.create(templates[i].replace("{key}", "0"));
            instances[i] = uri.getScheme() + "://" + uri.getRawAuthority();
        }
        return instances;
    }

    private static void printResult(LatencyRecorder recorder, List<StreamConnection> streams, Reconnects reconnects) {
        LatencyRecorder.Summary latency = recorder.summary();
        System.out.println("RESULT events=" + latency.events() + " windowMs=" + latency.windowMillis()
                + " samples=" + latency.samples() + " p50us=" + latency.p50Micros() + " p99us=" + latency.p99Micros()
                + " maxUs=" + latency.maxMicros()
                + " notFinal=" + count(streams, stream -> !stream.reachedFinalVersion())
                + " ended=" + count(streams, StreamConnection::hasEnded)
                + (reconnects == null ? "" : " " + reconnects.fields()));
        System.out.flush();
    }

    private static boolean awaitAll(List<StreamConnection> streams, java.util.function.Predicate<StreamConnection> done,
                                    Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (count(streams, done) == streams.size()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static int count(List<StreamConnection> streams, java.util.function.Predicate<StreamConnection> test) {
        int n = 0;
        for (StreamConnection stream : streams) {
            if (test.test(stream)) {
                n++;
            }
        }
        return n;
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return runnable -> {
            Thread thread = new Thread(runnable, "sse-client");
            thread.setDaemon(true);
            return thread;
        };
    }
}
