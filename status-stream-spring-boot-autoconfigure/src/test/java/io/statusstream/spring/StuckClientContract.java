package io.statusstream.spring;

import io.statusstream.test.StatusStreamClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.test.TestStream;
import io.statusstream.spring.TestApplication.Bot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stops reading: its socket fills, the write to it blocks (on Spring MVC) or stays in flight (on
 * WebFlux), and it is cut as stuck while the others go on, and its place is freed. One contract, run against each web
 * stack by a subclass.
 */
abstract class StuckClientContract {

    private static final String LARGE = "x".repeat(256 * 1024);

    @LocalServerPort
    int port;
    @Autowired
    ManualStreamScheduler scheduler;
    @Autowired
    InMemoryStateSource<Long, Bot> source;
    @Autowired
    StatusStreams streams;
    @Autowired
    MeterRegistry meters;
    @Autowired
    ConnectionLimiter limiter;

    @Test
    void aClientThatStopsReadingIsCutAsStuckWhileOthersKeepReceiving() throws Exception {
        StatusStreamClient client = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue);
        source.put(1L, new Bot("stuck", "v0")).put(2L, new Bot("healthy", "v0"));
        try (Socket silent = new Socket(); TestStream healthy = client.open("/api/v1/bots/2/status-stream")) {
            healthy.nextEvent();
            silent.setReceiveBufferSize(4096);
            silent.connect(new InetSocketAddress("localhost", port));
            OutputStream request = silent.getOutputStream();
            request.write(("GET /api/v1/bots/1/status-stream HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.flush();
            Drive.until(() -> streams.get("bots").stats().subscribers() == 2, scheduler::runDue);

            int[] version = {0};
            Drive.until(() -> stuckClosed() > 0, () -> {
                version[0]++;
                source.put(1L, new Bot("stuck", LARGE + version[0]));
                streams.<Long, Bot>get("bots").touch(1L);
                scheduler.runDue();
                scheduler.advance(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL);
            });

            source.put(2L, new Bot("healthy", "v1"));
            streams.<Long, Bot>get("bots").touch(2L);
            scheduler.runDue();
            assertThat(healthy.next().data()).contains("\"status\":\"v1\"");
            assertThat(streams.get("bots").stats().subscribers()).isEqualTo(1);
            Drive.until(() -> limiter.openConnections() == 1, () -> {
            });
        }
    }

    private double stuckClosed() {
        return meters.get("status.stream.subscribers.closed").tags("stream", "bots", "reason", "stuck")
                .counter().count();
    }
}
