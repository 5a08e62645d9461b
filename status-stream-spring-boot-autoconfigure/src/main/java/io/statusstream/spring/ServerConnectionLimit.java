package io.statusstream.spring;

import org.apache.catalina.connector.Connector;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

import java.util.OptionalInt;

/**
 * Keeps the library's admission limit ({@code status-stream.max-connections}) below the web server's own
 * connection limit, read from the running server once it has started, so that a stream request over the limit is
 * answered {@code 503} with {@code Retry-After} instead of waiting unanswered in the operating system's accept queue.
 *
 * <p>Why it matters: Tomcat accepts at most {@code server.tomcat.max-connections} (8,192 by default) connections;
 * every open stream holds one. With the library's limit above it, the 8,193rd client is not refused but left waiting
 * in the accept queue ({@code server.tomcat.accept-count}, 100), and the clients after those time out while connecting.
 * So when the server's limit is known and the library's is not below it, the library's limit is lowered to the
 * server's minus a reserve of {@code 1/64} of it (at least 1) for the application's other requests, and one log line
 * says so and how to raise both: a warning when {@code status-stream.max-connections} was set, an info line when it is
 * the default.
 *
 * <p>Known limits: Tomcat's connectors (the lowest positive {@code maxConnections} of them), and Jetty's
 * {@code server.jetty.max-connections} when set (Jetty has no limit by default). Reactor Netty has none. Thread-safe:
 * runs once per server start, on the thread that starts it.
 */
final class ServerConnectionLimit implements ApplicationListener<WebServerInitializedEvent> {

    private static final Log LOG = LogFactory.getLog(ServerConnectionLimit.class);
    private static final boolean TOMCAT = ClassUtils.isPresent("org.springframework.boot.tomcat.TomcatWebServer",
            ServerConnectionLimit.class.getClassLoader());
    private static final String PROPERTY = "status-stream.max-connections";
    private static final String JETTY_SERVER = "org.springframework.boot.jetty.JettyWebServer";

    private final ConnectionLimiter limiter;

    ServerConnectionLimit(ConnectionLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        // The management server (management.server.port) is another server; its connections are not the streams'.
        String namespace = event.getApplicationContext().getServerNamespace();
        if (namespace != null && !namespace.isEmpty()) {
            return;
        }
        Environment environment = event.getApplicationContext().getEnvironment();
        boolean configured = Binder.get(environment).bind(PROPERTY, Integer.class).isBound();
        limitOf(event.getWebServer(), environment)
                .ifPresent(serverLimit -> align(serverLimit, describe(event.getWebServer()), configured));
    }

    /**
     * Lowers the library's limit below {@code serverLimit} if it is not already. A limit the user set is a mistake
     * worth a warning; the default one (10,000 against Tomcat's 8,192) is only worth an info line.
     */
    void align(int serverLimit, ServerKind server, boolean configuredByUser) {
        int configured = limiter.maxConnections();
        int aligned = Math.max(1, serverLimit - reserve(serverLimit));
        if (configured <= aligned) {
            return;
        }
        limiter.lowerTo(aligned);
        String message = PROPERTY + " (" + configured + (configuredByUser ? "" : ", the default") + ") is not below "
                + server.displayName + "'s own connection limit (" + serverLimit + "): stream requests are limited to "
                + aligned + " so that the ones over it are answered 503 with Retry-After instead of waiting unanswered"
                + " for a free connection. To hold more streams, raise " + server.property + " above " + PROPERTY;
        if (configuredByUser) {
            LOG.warn(message);
        } else {
            LOG.info(message);
        }
    }

    /** The servers whose connection limit is known, as the log names them. */
    enum ServerKind {
        TOMCAT("Tomcat", "server.tomcat.max-connections"),
        JETTY("Jetty", "server.jetty.max-connections");

        final String displayName;
        final String property;

        ServerKind(String displayName, String property) {
            this.displayName = displayName;
            this.property = property;
        }
    }

    /** Connections left to the application's other requests when streams take the rest. */
    static int reserve(int serverLimit) {
        return Math.max(1, serverLimit / 64);
    }

    private static OptionalInt limitOf(WebServer server, Environment environment) {
        if (TOMCAT && server instanceof TomcatWebServer tomcat) {
            return Tomcat.limitOf(tomcat);
        }
        if (server.getClass().getName().equals(JETTY_SERVER)) {
            int max = environment.getProperty("server.jetty.max-connections", Integer.class, -1);
            return max > 0 ? OptionalInt.of(max) : OptionalInt.empty();
        }
        return OptionalInt.empty();
    }

    private static ServerKind describe(WebServer server) {
        return TOMCAT && server instanceof TomcatWebServer ? ServerKind.TOMCAT : ServerKind.JETTY;
    }

    /** Kept apart so that Tomcat's classes are only loaded when Tomcat is the server. */
    private static final class Tomcat {

        static OptionalInt limitOf(TomcatWebServer server) {
            int lowest = Integer.MAX_VALUE;
            for (Connector connector : server.getTomcat().getService().findConnectors()) {
                if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol
                        && protocol.getMaxConnections() > 0) {
                    lowest = Math.min(lowest, protocol.getMaxConnections());
                }
            }
            return lowest == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(lowest);
        }
    }
}
