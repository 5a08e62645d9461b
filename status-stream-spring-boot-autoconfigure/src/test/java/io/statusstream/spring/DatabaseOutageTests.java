package io.statusstream.spring;

import io.statusstream.test.TestStream;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.core.StatusStream;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TcpProxy;
import io.statusstream.jdbc.testing.TestDatabase;
import io.statusstream.spring.ReliabilityApplication.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.statusstream.spring.Drive.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database goes away while 200 streams are open and rows keep changing: through a cut network (a TCP proxy) and
 * through killed server connections. Streams stay open, the outage is logged once and reported by health, and once
 * the database is back every client shows the final state of every row it watches.
 */
// Closed afterwards: its pool's killed connections would otherwise be found (and warned of) during later tests.
@DirtiesContext
@RequiresDatabase(TestDatabase.POSTGRES)
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = ReliabilityApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "reliability.table=outage_rows",
        "status-stream.poll-interval=100ms",
        "status-stream.max-backoff=300ms",
        "status-stream.heartbeat-interval=500ms",
        "status-stream.key-retention=1s"})
class DatabaseOutageTests {

    static final int STREAMS = 200;
    static final int ROWS = 50;
    static final int KEYS_PER_STREAM = 3;
    private static final Duration CONVERGENCE = Duration.ofSeconds(60);

    @LocalServerPort
    int port;
    @Autowired
    TcpProxy proxy;
    @Autowired
    StatusStreams streams;
    @Autowired
    HealthIndicator statusStreamHealthIndicator;

    Table table;
    final List<ClientView> clients = new ArrayList<>();
    final Map<ClientView, Set<Long>> watched = new HashMap<>();

    @BeforeEach
    void openStreams() throws SQLException {
        table = new Table("outage_rows", ROWS);
        StatusStreamClient client = StatusStreamClient.forPort(port);
        for (int i = 0; i < STREAMS; i++) {
            Set<Long> keys = new LinkedHashSet<>();
            for (int k = 0; keys.size() < KEYS_PER_STREAM; k++) {
                keys.add(1L + (i * 7L + k * 13L) % ROWS);
            }
            ClientView view = new ClientView(client.open("/rows/status-stream?ids="
                    + keys.stream().map(String::valueOf).collect(Collectors.joining(","))));
            assertThat(view.connection().status()).isEqualTo(200);
            clients.add(view);
            watched.put(view, keys);
        }
        until(() -> clients.stream().allMatch(view -> watched.get(view).stream()
                .allMatch(key -> view.version(key) != null)), () -> table.change(5), CONVERGENCE);
    }

    @AfterEach
    void closeStreams() throws SQLException {
        proxy.restore();
        clients.forEach(view -> view.connection().close());
        table.close();
        // Closed clients are found by the next heartbeat: every subscription is released.
        until(() -> streams.get("rows").stats().subscribers() == 0, () -> {
        }, CONVERGENCE);
    }

    @Test
    void streamsStayOpenThroughANetworkOutageThatIsLoggedOnceAndReportedByHealthThenEveryClientConverges(
            CapturedOutput output) throws SQLException {
        int logStart = output.length();
        StatusStream<Long, ?> rows = streams.get("rows");

        long writesBeforeCut = table.writes();
        proxy.cut();
        until(() -> rows.stats().consecutiveFailures() >= 5, () -> table.change(5), CONVERGENCE);
        assertThat(statusStreamHealthIndicator.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(rows.stats().subscribers()).as("no stream is closed by the outage").isEqualTo(STREAMS);
        assertThat(clients).noneMatch(view -> view.ended());
        int failedPolls = rows.stats().consecutiveFailures();
        try (TestStream reload = StatusStreamClient.forPort(port).open("/rows/1/status-stream")) {
            assertThat(reload.status()).as("a page reloaded during the outage gets the last known state").isEqualTo(200);
            assertThat(reload.next().data()).contains("\"kind\":\"snapshot\"");
        }

        proxy.restore();
        until(() -> rows.stats().sourceHealthy(), () -> table.change(5), CONVERGENCE);
        long writesDuringOutage = table.writes() - writesBeforeCut;
        assertThat(writesDuringOutage).isPositive();

        assertEveryClientConvergesToTheFinalStateOfItsRows();
        System.out.printf("outage: %d streams, %d rows, %d writes (%d during the outage), %d failed polls;"
                        + " every client shows the final version of its %d rows%n", STREAMS, ROWS, table.writes(),
                writesDuringOutage, failedPolls, KEYS_PER_STREAM);
        assertThat(statusStreamHealthIndicator.health().getStatus()).isEqualTo(Status.UP);
        String log = output.toString().substring(logStart);
        assertThat(occurrences(log, "its source failed")).as("the outage is logged once:%n%s", log).isEqualTo(1);
        assertThat(occurrences(log, "source recovered")).as("and its end once").isEqualTo(1);
    }

    @Test
    void streamsSurviveKilledDatabaseConnectionsAndEveryClientConverges(CapturedOutput output) throws SQLException {
        int logStart = output.length();
        StatusStream<Long, ?> rows = streams.get("rows");
        int[] killed = {0};

        until(() -> killed[0] >= 10, () -> {
            table.change(5);
            try {
                killed[0] += table.terminateBackends("status-stream-reliability");
            } catch (SQLException failure) {
                throw new IllegalStateException(failure);
            }
        }, CONVERGENCE);
        assertThat(rows.stats().subscribers()).as("no stream is closed by the kills").isEqualTo(STREAMS);

        assertEveryClientConvergesToTheFinalStateOfItsRows();
        System.out.printf("killed connections: %d streams, %d server connections killed, %d writes;"
                + " every client shows the final version of its rows%n", STREAMS, killed[0], table.writes());
        until(() -> rows.stats().sourceHealthy(), () -> {
        }, CONVERGENCE);
        String log = output.toString().substring(logStart);
        assertThat(occurrences(log, "its source failed")).as("each failure is logged once, with its recovery:%n%s",
                log).isEqualTo(occurrences(log, "source recovered"));
    }

    private void assertEveryClientConvergesToTheFinalStateOfItsRows() throws SQLException {
        Map<Long, Long> finalVersions = table.versions();
        until(() -> clients.stream().allMatch(view -> view.shows(expected(view, finalVersions))),
                () -> {
                }, CONVERGENCE);
        assertThat(clients).noneMatch(ClientView::ended);
    }

    private Map<Long, Long> expected(ClientView view, Map<Long, Long> versions) {
        Map<Long, Long> expected = new HashMap<>();
        watched.get(view).forEach(key -> expected.put(key, versions.get(key)));
        return expected;
    }

    static int occurrences(String text, String phrase) {
        Matcher matcher = Pattern.compile(Pattern.quote(phrase)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
