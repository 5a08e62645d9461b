package io.statusstream.spring;

import io.statusstream.test.StreamEvent;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import io.statusstream.spring.ReliabilityApplication.Table;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.statusstream.spring.Drive.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server goes away and comes back while clients are connected: a restart on the same port, where clients resume
 * with their {@code Last-Event-ID} of the old epoch, and a graceful shutdown, which ends every stream cleanly.
 */
@RequiresDatabase(TestDatabase.POSTGRES)
@ExtendWith(OutputCaptureExtension.class)
class RestartAndShutdownTests {

    private static final int STREAMS = 100;
    private static final int ROWS = 20;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void afterARestartClientsResumingWithAnOldEpochsIdGetASnapshotOfTheCurrentStateNeverAStaleOne() throws Exception {
        try (Table table = new Table("restart_rows", ROWS)) {
            ConfigurableApplicationContext first = start("restart_rows", 0);
            int port = port(first);
            List<ClientView> clients = new ArrayList<>();
            try {
                StatusStreamClient client = StatusStreamClient.forPort(port);
                for (int i = 0; i < STREAMS; i++) {
                    clients.add(new ClientView(client.open("/rows/" + key(i) + "/status-stream")));
                }
                table.change(40);
                Map<Long, Long> before = table.versions();
                until(() -> clients.stream().allMatch(view -> view.shows(Map.of(key(clients.indexOf(view)),
                        before.get(key(clients.indexOf(view)))))), () -> {
                }, WAIT);
            } finally {
                first.close();
            }
            until(() -> clients.stream().allMatch(view -> view.ended()), () -> {
            }, WAIT);
            table.change(40);
            Map<Long, Long> current = table.versions();

            ConfigurableApplicationContext second = start("restart_rows", port);
            try {
                StatusStreamClient client = StatusStreamClient.forPort(port);
                for (int i = 0; i < STREAMS; i++) {
                    String oldId = clients.get(i).lastEventId();
                    try (TestStream resumed = client.open("/rows/" + key(i) + "/status-stream",
                            Map.of("Last-Event-ID", oldId))) {
                        assertThat(resumed.status()).isEqualTo(200);
                        StreamEvent snapshot = resumed.next();
                        assertThat(snapshot.data()).as("resuming from %s", oldId)
                                .contains("\"kind\":\"snapshot\"", "\"version\":" + current.get(key(i)) + ",");
                        assertThat(snapshot.id()).as("a new epoch").doesNotStartWith(oldId.substring(0,
                                oldId.indexOf('-') + 1));
                    }
                }
            } finally {
                second.close();
            }
        }
    }

    @Test
    void gracefulShutdownEndsEveryStreamCleanlyLeavesNoStreamThreadAndLogsNoError(CapturedOutput output)
            throws Exception {
        try (Table table = new Table("shutdown_rows", ROWS)) {
            // Other test classes' cached contexts run streams of the same names: only this context's threads count.
            java.util.Set<Thread> before = streamThreads();
            ConfigurableApplicationContext context = start("shutdown_rows", 0);
            List<ClientView> clients = new ArrayList<>();
            try {
                StatusStreamClient client = StatusStreamClient.forPort(port(context));
                for (int i = 0; i < STREAMS; i++) {
                    clients.add(new ClientView(client.open("/rows/" + key(i) + "/status-stream")));
                }
                table.change(20);
                until(() -> clients.stream().allMatch(view -> view.events() > 0), () -> {
                }, WAIT);
                java.util.Set<Thread> ours = streamThreads();
                ours.removeAll(before);
                assertThat(ours).as("this context's poller and writers").isNotEmpty();
                int logStart = output.length();

                CompletableFuture.runAsync(context::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);

                until(() -> clients.stream().allMatch(view -> view.ended()), () -> {
                }, WAIT);
                until(() -> ours.stream().noneMatch(Thread::isAlive), () -> {
                }, WAIT);
                String log = output.toString().substring(logStart);
                assertThat(log).as("shutdown log").doesNotContain("ERROR", "WARN", "Exception");
            } finally {
                context.close();
                clients.forEach(view -> view.connection().close());
            }
        }
    }

    /** The engines' poller and writer threads (named after their stream). */
    private static java.util.Set<Thread> streamThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("rows-") || thread.getName().startsWith("secured-"))
                .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }

    private static long key(int client) {
        return 1 + client % ROWS;
    }

    private static ConfigurableApplicationContext start(String table, int port) {
        return new SpringApplicationBuilder(ReliabilityApplication.class)
                .properties("server.port=" + port, "server.shutdown=graceful", "reliability.table=" + table,
                        "status-stream.poll-interval=100ms", "spring.lifecycle.timeout-per-shutdown-phase=30s")
                .run("--status-stream.shutdown.drain-period=2s");
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}
