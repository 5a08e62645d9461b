package io.statusstream.jdbc.testing;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, which a test can {@link #cut()} and {@link #restore()}: a
 * network outage without touching the server. While cut, every open connection is reset and every new one is
 * accepted and closed at once, so a driver fails quickly instead of waiting for a timeout. Loopback only; each
 * connection is pumped by two daemon threads. Thread-safe.
 */
public final class TcpProxy implements Closeable {

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean cut;

    /** Starts a proxy to {@code host:port} of the loopback interface, on a free port. */
    public TcpProxy(String host, int port) throws IOException {
        this.target = new InetSocketAddress(host, port);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to the server of a database's default URL ({@code host:port} of {@link TestDatabase#location()}). */
    public static TcpProxy to(TestDatabase database) throws IOException {
        String location = database.location();
        int colon = location.lastIndexOf(':');
        return new TcpProxy(location.substring(0, colon), Integer.parseInt(location.substring(colon + 1)));
    }

    /** The database's URL with its host and port replaced by this proxy's. */
    public String url(TestDatabase database) {
        return database.url().replace(database.location(), "127.0.0.1:" + port());
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far, refused ones included. */
    public int accepted() {
        return accepted.get();
    }

    /** The network goes away: open connections are reset, new ones closed at once. */
    public void cut() {
        cut = true;
        for (Socket socket : open) {
            reset(socket);
        }
    }

    /** The network is back: new connections reach the server again. */
    public void restore() {
        cut = false;
    }

    @Override
    public void close() {
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing the listening socket only stops the acceptor.
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            if (cut) {
                reset(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 2_000);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException unreachable) {
                reset(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException closed) {
                // One side went away: the other is closed below.
            } finally {
                reset(from);
                reset(to);
            }
        }, "tcp-proxy-pump-" + from.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private void reset(Socket socket) {
        open.remove(socket);
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException alreadyClosed) {
            // Closing below is all that is left to do.
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public String toString() {
        return "TcpProxy[127.0.0.1:" + port() + " -> " + target + (cut ? ", cut]" : "]");
    }
}
