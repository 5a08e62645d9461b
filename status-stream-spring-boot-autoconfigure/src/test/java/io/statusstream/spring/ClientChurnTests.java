package io.statusstream.spring;

import io.statusstream.core.StatusStream;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import io.statusstream.spring.ReliabilityApplication.Table;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.statusstream.spring.Drive.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients come and go in great numbers, over raw sockets: a polite close, an abrupt one (RST), and a close before the
 * response has even started. Afterwards no subscription, watched key or connection permit is left, and neither the
 * retained heap (after GC) nor the thread count grows over the second half of the rounds, once the
 * server's pools and caches are warm.
 *
 * <p>The default is {@value #DEFAULT_CYCLES} cycles in {@value #ROUNDS} rounds; the long form runs
 * {@code -Dstatusstream.churn.cycles=20000} (see the starter README, "Reliability").
 */
@RequiresDatabase(TestDatabase.POSTGRES)
@SpringBootTest(classes = ReliabilityApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "reliability.table=churn_rows",
        "status-stream.poll-interval=500ms",
        "status-stream.heartbeat-interval=200ms",
        "status-stream.key-retention=200ms",
        // A small worker pool fills within the first rounds, so that a thread leak would show as growth after it.
        "server.tomcat.threads.max=16"})
@Import(ClientChurnTests.NoChannelCache.class)
class ClientChurnTests {

    /**
     * Tomcat keeps the channel objects (with their read and write buffers) of closed connections in a cache for reuse
     * ({@code socket.bufferPool}), which it sizes from the maximum heap. Churn fills it slowly, and that looks like a
     * leak of about 4 KiB per cycle (measured: 47 to 97 MiB retained over 20,000 cycles); with the cache off the
     * retained heap is flat (40 to 41 MiB). The cache is turned off here so that a leak of ours would show.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class NoChannelCache {

        @Bean
        TomcatConnectorCustomizer noChannelCache() {
            return connector -> connector.setProperty("socket.bufferPool", "0");
        }
    }

    static final int DEFAULT_CYCLES = 5_000;
    static final int ROUNDS = 10;
    static final int CLIENT_THREADS = 8;
    static final int ROWS = 100;
    /** Retained heap may wander this much between rounds (JIT, class loading, pools) without being a leak. */
    static final long HEAP_TOLERANCE_BYTES = 8L << 20;
    static final int THREAD_TOLERANCE = 8;

    @LocalServerPort
    int port;
    @Autowired
    StatusStreams streams;
    @Autowired
    StatusStreamHandlerMapping endpoints;


    @Test
    void thousandsOfConnectDisconnectCyclesLeaveNoSubscriptionKeyPermitHeapOrThreadBehind() throws Exception {
        int cycles = Integer.getInteger("statusstream.churn.cycles", DEFAULT_CYCLES);
        StatusStream<Long, ?> rows = streams.get("rows");
        List<Long> heap = new ArrayList<>();
        List<Integer> threads = new ArrayList<>();
        AtomicInteger streamed = new AtomicInteger();
        try (Table table = new Table("churn_rows", ROWS)) {
            ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    List<Future<?>> done = new ArrayList<>();
                    int perThread = cycles / ROUNDS / CLIENT_THREADS;
                    for (int t = 0; t < CLIENT_THREADS; t++) {
                        int offset = round * 100_000 + t * perThread;
                        done.add(clients.submit(() -> {
                            for (int i = offset; i < offset + perThread; i++) {
                                streamed.addAndGet(cycle(i));
                            }
                            return null;
                        }));
                    }
                    for (Future<?> future : done) {
                        future.get(5, TimeUnit.MINUTES);
                    }
                    until(() -> rows.stats().subscribers() == 0 && rows.stats().watchedKeys() == 0
                            && endpoints.openConnections() == 0, () -> {
                    }, Duration.ofSeconds(30));
                    heap.add(retainedHeap());
                    threads.add(Thread.activeCount());
                }
            } finally {
                clients.shutdownNow();
            }
        }
        System.out.printf("churn: %d cycles (%d streamed a snapshot), retained heap per round %s MiB,"
                        + " threads per round %s%n", cycles, streamed.get(),
                heap.stream().map(bytes -> bytes >> 20).toList(), threads);

        assertThat(streamed.get()).as("most cycles got a snapshot before leaving").isGreaterThan(cycles / 2);
        // The first half warms up: Tomcat's worker threads, processor and channel caches and the writer pool fill.
        assertThat(heap.get(ROUNDS - 1)).as("retained heap per round: %s", heap)
                .isLessThanOrEqualTo(heap.get(ROUNDS / 2) + HEAP_TOLERANCE_BYTES);
        assertThat(threads.get(ROUNDS - 1)).as("threads per round: %s", threads)
                .isLessThanOrEqualTo(threads.get(ROUNDS / 2) + THREAD_TOLERANCE);
    }

    /** One client: connects, maybe reads its snapshot, leaves in one of three ways; returns 1 if it got a snapshot. */
    private int cycle(int i) throws IOException {
        String path = i % 5 == 0
                ? "/rows/status-stream?ids=" + (1 + i % ROWS) + "," + (1 + (i + 1) % ROWS)
                : "/rows/" + (1 + i % ROWS) + "/status-stream";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int leave = i % 3;
            if (leave == 2) {
                socket.setSoLinger(true, 0);
                return 0;
            }
            int got = readUntilData(socket.getInputStream());
            if (leave == 1) {
                socket.setSoLinger(true, 0);
            }
            return got;
        }
    }

    private static int readUntilData(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                if (line.toString().startsWith("data:")) {
                    return 1;
                }
                line.setLength(0);
            } else {
                line.append((char) b);
            }
        }
        return 0;
    }

    private static long retainedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
