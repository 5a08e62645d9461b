package io.statusstream.benchmarks.runner;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Redis side of the cluster scenarios (127.0.0.1:6379): command counters from {@code INFO commandstats} and
 * {@code INFO stats}, read before and after the measured window, and the removal of a run's keys afterwards. Speaks
 * RESP over a plain socket, one short connection per call, so the runner adds no client library and no long-lived
 * connection to what it measures. Not thread-safe.
 */
final class RedisInfo {

    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;

    /**
     * Commands the library only runs inside its Lua scripts (status-stream-redis {@code ClusterScripts}): Redis counts
     * them in {@code commandstats} and {@code total_commands_processed}, but they are not requests a client sent.
     */
    private static final Set<String> INSIDE_SCRIPTS = Set.of("get", "set", "incr", "zadd", "zrem", "zscore", "del",
            "sadd", "srem", "sismember", "pexpire", "time", "zremrangebyscore", "zrange", "zrangebyscore", "smembers",
            "xadd", "xrevrange");

    private RedisInfo() {
    }

    /** Whether Redis answers {@code PING}. */
    static boolean reachable() {
        try {
            return "PONG".equals(call("PING"));
        } catch (IOException unreachable) {
            return false;
        }
    }

    /** Counters now. */
    static Counters counters() throws IOException {
        String info = (String) call("INFO", "commandstats", "stats");
        Map<String, Long> calls = new HashMap<>();
        long total = -1;
        for (String line : info.split("\r\n")) {
            if (line.startsWith("cmdstat_")) {
                String command = line.substring("cmdstat_".length(), line.indexOf(':'));
                int at = line.indexOf("calls=") + "calls=".length();
                calls.put(command, Long.parseLong(line.substring(at, line.indexOf(',', at))));
            } else if (line.startsWith("total_commands_processed:")) {
                total = Long.parseLong(line.substring("total_commands_processed:".length()).trim());
            }
        }
        return new Counters(calls, total);
    }

    /** Deletes every key under {@code prefix} (a run's own, so other users of the same Redis are not touched). */
    static long deleteKeys(String prefix) throws IOException {
        Object deleted = call("EVAL", "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do"
                + " n = n + redis.call('DEL', k) end return n", "0", prefix + ":*");
        return deleted instanceof Long n ? n : -1;
    }

    /** Command counters of Redis at one moment. Immutable. */
    record Counters(Map<String, Long> calls, long totalCommandsProcessed) {

        long calls(String command) {
            return calls.getOrDefault(command, 0L);
        }

        /** What happened between {@code before} and this, without the runner's own {@code INFO} (one per read). */
        Cost since(Counters before) {
            long scripts = delta(before, "evalsha") + delta(before, "eval");
            long reads = delta(before, "xread");
            long other = 0;
            StringBuilder otherCommands = new StringBuilder();
            for (String command : new TreeSet<>(calls.keySet())) {
                long delta = delta(before, command);
                if (delta > 0 && !command.equals("evalsha") && !command.equals("eval") && !command.equals("xread")
                        && !command.equals("info") && !INSIDE_SCRIPTS.contains(command)) {
                    other += delta;
                    otherCommands.append(otherCommands.isEmpty() ? "" : " ").append(command).append('=').append(delta);
                }
            }
            long total = totalCommandsProcessed - before.totalCommandsProcessed - delta(before, "info");
            return new Cost(scripts, reads, other, total, otherCommands.toString());
        }

        private long delta(Counters before, String command) {
            return calls(command) - before.calls(command);
        }
    }

    /**
     * Redis work in a window.
     *
     * @param scripts  {@code EVALSHA} and {@code EVAL} requests (heartbeats, rounds, appends, hints, histories)
     * @param reads    {@code XREAD} requests (each instance's blocking read of the shared log and hints)
     * @param other    other requests from clients (connection set-up, {@code SCRIPT LOAD}, …)
     * @param commands every command Redis executed, those run inside the scripts included
     * @param otherCommands the other requests by command, {@code name=calls}, for the log
     */
    record Cost(long scripts, long reads, long other, long commands, String otherCommands) {

        long requests() {
            return scripts + reads + other;
        }
    }

    // ------------------------------------------------------------------------------------------------- RESP

    private static Object call(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                request.writeBytes(bytes);
                request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(request.toByteArray());
            out.flush();
            return reply(new BufferedInputStream(socket.getInputStream()));
        }
    }

    private static Object reply(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("Redis: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length + 2);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                List<Object> items = new ArrayList<>(Math.max(0, count));
                for (int i = 0; i < count; i++) {
                    items.add(reply(in));
                }
                return items;
            }
            default:
                throw new IOException("unexpected Redis reply type " + type);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\r') {
                in.read();
                break;
            }
            bytes.write(b);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
