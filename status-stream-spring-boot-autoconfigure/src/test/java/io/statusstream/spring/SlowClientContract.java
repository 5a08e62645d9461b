package io.statusstream.spring;

import io.statusstream.test.StatusStreamClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.statusstream.core.StatusStream;
import io.statusstream.spring.ReliabilityApplication.Table;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.statusstream.spring.Drive.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One client never reads (a raw socket with a tiny receive buffer) a row whose every state is 256 KB, while 500 others
 * watch small rows. The others converge while the stuck one is still connected; the stuck one's queue keeps only the
 * latest state (coalesced); it is closed as stuck after the deadline and counted, and its place is given back. One
 * contract, run against each web stack by a subclass with these settings and its own.
 */
abstract class SlowClientContract {

    /** The application's settings for this contract, on every stack. */
    static final String TABLE = "reliability.table=slow_rows";
    static final String POLL_INTERVAL = "status-stream.poll-interval=100ms";
    static final String HEARTBEAT_INTERVAL = "status-stream.heartbeat-interval=250ms";
    static final String STUCK_TIMEOUT = "status-stream.stuck-client-timeout=5s";

    static final int HEALTHY = 500;
    static final int ROWS = 51;
    static final long STUCK_ROW = 1;
    private static final String LARGE = "x".repeat(256 * 1024);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @LocalServerPort
    int port;
    @Autowired
    StatusStreams streams;
    @Autowired
    MeterRegistry meters;
    @Autowired
    ConnectionLimiter limiter;

    @Test
    void aClientThatNeverReadsDoesNotHoldUpFiveHundredOthersKeepsOnlyTheLatestStateAndIsClosedAsStuck()
            throws Exception {
        StatusStream<Long, ?> rows = streams.get("rows");
        List<ClientView> healthy = new ArrayList<>();
        try (Table table = new Table("slow_rows", ROWS); Socket stuck = new Socket()) {
            StatusStreamClient client = StatusStreamClient.forPort(port);
            for (int i = 0; i < HEALTHY; i++) {
                healthy.add(new ClientView(client.open("/rows/" + healthyRow(i) + "/status-stream")));
            }
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            OutputStream request = stuck.getOutputStream();
            request.write(("GET /rows/" + STUCK_ROW + "/status-stream HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            request.flush();
            until(() -> rows.stats().subscribers() == HEALTHY + 1, () -> {
            }, WAIT);

            // Big states pile up for the stuck client until its queue coalesces them: its socket is full.
            long[] version = {0};
            until(() -> coalesced() > 0, () -> {
                try {
                    table.set(STUCK_ROW, ++version[0], LARGE + version[0]);
                } catch (java.sql.SQLException failure) {
                    throw new IllegalStateException(failure);
                }
            }, WAIT);

            table.change(200);
            Map<Long, Long> versions = table.versions();
            until(() -> healthy.stream().allMatch(view -> view
                    .shows(Map.of(healthyRow(healthy.indexOf(view)), versions.get(healthyRow(healthy.indexOf(view)))))),
                    () -> {
                    }, WAIT);
            assertThat(stuckClosed()).as("the others converged while the stuck client was still connected")
                    .isZero();

            until(() -> stuckClosed() == 1, () -> {
            }, WAIT);
            until(() -> rows.stats().subscribers() == HEALTHY, () -> {
            }, WAIT);
            // The stuck client's place is given back once its response has ended (see the subclasses for how).
            until(() -> limiter.openConnections() == HEALTHY, () -> {
            }, WAIT);
            assertThat(healthy).noneMatch(view -> view.ended());
            System.out.printf("slow client: %d healthy streams converged while 1 stuck client was open; %d states of"
                    + " 256 KB written for it, %.0f coalesced; closed as stuck%n", HEALTHY, version[0], coalesced());
        } finally {
            healthy.forEach(view -> view.connection().close());
        }
    }

    private static long healthyRow(int client) {
        return 2 + client % (ROWS - 1);
    }

    private double coalesced() {
        return meters.get("status.stream.events.coalesced").tags("stream", "rows").counter().count();
    }

    private double stuckClosed() {
        return meters.get("status.stream.subscribers.closed").tags("stream", "rows", "reason", "stuck")
                .counter().count();
    }
}
