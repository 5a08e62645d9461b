package io.statusstream.redis;

import io.statusstream.jdbc.testing.RequiresDatabaseExtension;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The check behind {@link RequiresRedis}: one {@code PING} per test run. */
public final class RequiresRedisExtension implements BeforeEachCallback {

    static final String HOST = "127.0.0.1";
    static final int PORT = 6379;

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RequiresRedisExtension.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        String problem = context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent("redis", key -> probe(), String.class);
        if (problem.isEmpty()) {
            return;
        }
        if (RequiresDatabaseExtension.servicesRequired()) {
            Assertions.fail(problem + " Services are required here (STATUSSTREAM_REQUIRE_SERVICES=true), so this is"
                    + " a failure, not a skip.");
        }
        Assumptions.abort(problem + " Skipping; set STATUSSTREAM_REQUIRE_SERVICES=true to make this a failure.");
    }

    private static String probe() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            if (new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                return "";
            }
            return unreachable("it answered PING with '" + new String(reply, StandardCharsets.US_ASCII).strip() + "'");
        } catch (IOException failure) {
            return unreachable(String.valueOf(failure.getMessage()));
        }
    }

    private static String unreachable(String cause) {
        return "Redis is not reachable at " + HOST + ":" + PORT + " (" + cause + "); start it with 'redis-server"
                + " --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no' (or docker run -d -p"
                + " 6379:6379 redis:7).";
    }
}
