package io.statusstream.spring;

import io.statusstream.test.StatusStreamClient;
import io.statusstream.core.StatusStream;
import io.statusstream.jdbc.PostgresNotifyChangeNotifier;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import io.statusstream.spring.ReliabilityApplication.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
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
import java.util.List;
import java.util.Map;

import static io.statusstream.spring.Drive.until;
import static io.statusstream.spring.DatabaseOutageTests.occurrences;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NOTIFY listener's connection is killed while streams are open and rows keep changing. The poll interval is an
 * hour, so every change a client sees was pushed: after the listener reconnects, its full poll delivers what changed
 * in between, and later changes are pushed again.
 */
// Closed afterwards: its pool's killed connections would otherwise be found (and warned of) during later tests.
@DirtiesContext
@RequiresDatabase(TestDatabase.POSTGRES)
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = ReliabilityApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "reliability.table=notify_rows",
        "reliability.notify=true",
        "status-stream.poll-interval=1h",
        "status-stream.heartbeat-interval=500ms"})
class NotifyListenerOutageTests {

    private static final String TABLE = "notify_rows";
    private static final String LISTENER = "status-stream-listen:" + ReliabilityApplication.channel(TABLE);
    private static final int STREAMS = 50;
    private static final int ROWS = 20;
    private static final Duration CONVERGENCE = Duration.ofSeconds(30);

    @LocalServerPort
    int port;
    @Autowired
    StatusStreams streams;

    Table table;
    final List<ClientView> clients = new ArrayList<>();

    @BeforeEach
    void openStreams() throws SQLException {
        table = new Table(TABLE, ROWS);
        PostgresNotifyChangeNotifier.installTrigger(TestDatabase.POSTGRES.dataSource(), TABLE, "id",
                ReliabilityApplication.channel(TABLE));
        StatusStreamClient client = StatusStreamClient.forPort(port);
        for (int i = 0; i < STREAMS; i++) {
            long first = 1 + i % ROWS;
            long second = 1 + (i + 7) % ROWS;
            ClientView view = new ClientView(client.open("/rows/status-stream?ids=" + first + "," + second));
            assertThat(view.connection().status()).isEqualTo(200);
            clients.add(view);
        }
    }

    @AfterEach
    void closeStreams() throws SQLException {
        clients.forEach(view -> view.connection().close());
        table.close();
        until(() -> streams.get("rows").stats().subscribers() == 0, () -> {
        }, CONVERGENCE);
    }

    @Test
    void afterTheListenersConnectionIsKilledItReconnectsAndEveryClientConvergesOnPushesAlone(CapturedOutput output)
            throws SQLException {
        StatusStream<Long, ?> rows = streams.get("rows");
        until(() -> connections(LISTENER) == 1, () -> {
        }, CONVERGENCE);
        table.change(10);
        assertEveryClientConverges();
        int logStart = output.length();

        assertThat(table.terminateBackends(LISTENER)).isEqualTo(1);
        table.change(20);
        until(() -> connections(LISTENER) == 1, () -> table.change(2), CONVERGENCE);
        table.change(10);

        assertEveryClientConverges();
        assertThat(rows.stats().subscribers()).isEqualTo(STREAMS);
        assertThat(clients).noneMatch(ClientView::ended);
        String log = output.toString().substring(logStart);
        assertThat(occurrences(log, "not listening")).as("the listener's outage is logged once:%n%s", log)
                .isEqualTo(1);
    }

    private void assertEveryClientConverges() throws SQLException {
        Map<Long, Long> versions = table.versions();
        until(() -> clients.stream().allMatch(view -> {
            Map<Long, Long> expected = new HashMap<>();
            int index = clients.indexOf(view);
            expected.put(1L + index % ROWS, versions.get(1L + index % ROWS));
            expected.put(1L + (index + 7) % ROWS, versions.get(1L + (index + 7) % ROWS));
            return view.shows(expected);
        }), () -> {
        }, CONVERGENCE);
    }

    private int connections(String applicationName) {
        try {
            return table.connections(applicationName);
        } catch (SQLException failure) {
            throw new IllegalStateException(failure);
        }
    }
}
