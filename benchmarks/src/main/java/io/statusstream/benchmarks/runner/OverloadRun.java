package io.statusstream.benchmarks.runner;

import io.statusstream.benchmarks.runner.Scenario.Design;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * More stream requests than Tomcat accepts connections, from outside: the library server on Tomcat's default
 * {@code max-connections} (8,192) and a given {@code accept-count} (Tomcat's default: 100), with the library's
 * {@code max-connections} at 10,000, and
 * {@value #CLIENTS} clients that connect at once over raw sockets. Every client is counted by what it got within
 * {@link #ANSWER_WAIT}: a status line (200, 503 with or without {@code Retry-After}, other), no connection, or a
 * connection that nobody answered. Streams that opened stay open until every client is counted.
 */
final class OverloadRun {

    static final String NAME = "overload: more streams than Tomcat's max-connections";
    static final int CLIENTS = 9_000;
    static final int TOMCAT_MAX_CONNECTIONS = 8_192;
    static final int LIBRARY_MAX_CONNECTIONS = 10_000;
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(30);

    private final BenchDatabase database;
    private final Duration interval;
    private final Path logs;

    OverloadRun(BenchDatabase database, Duration interval, Path logs) {
        this.database = database;
        this.interval = interval;
        this.logs = logs;
    }

    /** @param acceptCount Tomcat's {@code accept-count}: the backlog of connections waiting for a free slot */
    Result run(int acceptCount) throws Exception {
        Scenario scenario = new Scenario(NAME, Design.LIBRARY, CLIENTS, BenchmarkRunner.KEYS, 0, false);
        database.resetTable(scenario.keys(), false);
        try (ServerProcess server = ServerProcess.launch(scenario, interval, logs.resolve("overload-" + acceptCount + "-server.log"),
                List.of("--server.tomcat.max-connections=" + TOMCAT_MAX_CONNECTIONS,
                        "--server.tomcat.accept-count=" + acceptCount,
                        "--status-stream.max-connections=" + LIBRARY_MAX_CONNECTIONS))) {
            server.awaitStarted();
            return new Result(acceptCount, count(server.port(), scenario.keys()));
        }
    }

    private static Map<String, Integer> count(int port, int keys) throws IOException {
        List<Client> clients = new ArrayList<>(CLIENTS);
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                Client client = new Client(channel, "GET /api/v1/bots/" + (i % keys + 1) + "/status-stream HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
                clients.add(client);
                channel.connect(new InetSocketAddress("127.0.0.1", port));
                channel.register(selector, SelectionKey.OP_CONNECT, client);
            }
            long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
            int pending = CLIENTS;
            while (pending > 0 && System.nanoTime() < deadline) {
                selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                for (SelectionKey key : selector.selectedKeys()) {
                    pending -= ((Client) key.attachment()).ready(key) ? 1 : 0;
                }
                selector.selectedKeys().clear();
            }
            Map<String, Integer> outcomes = new TreeMap<>();
            for (Client client : clients) {
                outcomes.merge(client.outcome(), 1, Integer::sum);
                client.channel.close();
            }
            return outcomes;
        }
    }

    /** One raw-socket client: connects, sends its request, reads the response head. Not thread-safe. */
    private static final class Client {

        private final SocketChannel channel;
        private final ByteBuffer request;
        private final ByteBuffer head = ByteBuffer.allocate(1024);
        private boolean connected;
        private String outcome;

        Client(SocketChannel channel, String request) {
            this.channel = channel;
            this.request = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        }

        /** @return whether the client has its outcome now (it had none before) */
        boolean ready(SelectionKey key) {
            try {
                if (key.isConnectable() && channel.finishConnect()) {
                    connected = true;
                    channel.write(request);
                    key.interestOps(SelectionKey.OP_READ);
                    return false;
                }
                if (key.isReadable()) {
                    if (channel.read(head) < 0) {
                        return decide(key, "closed before a full response head");
                    }
                    String text = new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1);
                    if (text.contains("\r\n\r\n")) {
                        String status = text.substring(0, text.indexOf("\r\n")).trim();
                        boolean retryAfter = text.toLowerCase(Locale.ROOT).contains("\r\nretry-after:");
                        return decide(key, status.replaceFirst("^HTTP/1\\.1 ", "").trim()
                                + (status.contains(" 503") ? (retryAfter ? ", with Retry-After" : ", no Retry-After") : ""));
                    }
                }
                return false;
            } catch (IOException failed) {
                return decide(key, (connected ? "reset after connecting: " : "connect failed: ")
                        + failed.getClass().getSimpleName());
            }
        }

        private boolean decide(SelectionKey key, String what) {
            key.interestOps(0);
            outcome = what;
            return true;
        }

        String outcome() {
            if (outcome != null) {
                return outcome;
            }
            return connected ? "connected, no answer within " + ANSWER_WAIT.toSeconds() + " s"
                    : "not connected within " + ANSWER_WAIT.toSeconds() + " s";
        }
    }

    /** How many clients got what, with that {@code accept-count}. */
    record Result(int acceptCount, Map<String, Integer> outcomes) {

        String oneLine() {
            return "accept-count " + acceptCount + ": " + outcomes;
        }

        String markdown() {
            StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "%n## Overload: %,d streams against"
                            + " Tomcat's default max-connections (%,d), accept-count %d%n%nThe library server on"
                            + " Tomcat's default `server.tomcat.max-connections` (%,d), `accept-count` %d, with"
                            + " `status-stream.max-connections` %,d, which the starter lowers below Tomcat's limit at"
                            + " startup. %,d raw-socket clients connect at once; each is counted by what it had after"
                            + " %d s. Streams that opened stay open meanwhile.%n%n| outcome | clients |%n|---|---:|%n",
                    CLIENTS, TOMCAT_MAX_CONNECTIONS, acceptCount, TOMCAT_MAX_CONNECTIONS, acceptCount,
                    LIBRARY_MAX_CONNECTIONS, CLIENTS,
                    ANSWER_WAIT.toSeconds()));
            outcomes.forEach((what, clients) -> md.append(String.format(Locale.ROOT, "| %s | %,d |%n", what, clients)));
            return md.toString();
        }
    }
}
