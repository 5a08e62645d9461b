package io.statusstream.spring;

import io.statusstream.test.StatusStreamClient;
import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import io.statusstream.spring.ReliabilityApplication.Table;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.statusstream.spring.Drive.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bursts of concurrent opens against a limit of 30 streams in all and 5 per principal: first 4 principals open 10
 * streams each at once (exactly 5 each are admitted, the rest get 429), then 30 anonymous clients at once (exactly the
 * 10 places left are taken, the rest get 503); refusals carry {@code Retry-After}. Once the admitted clients leave,
 * the whole capacity is available again, and the same holds for a second round.
 */
@RequiresDatabase(TestDatabase.POSTGRES)
@SpringBootTest(classes = ReliabilityApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "reliability.table=limit_rows",
        "status-stream.max-connections=30",
        "status-stream.max-connections-per-principal=5",
        "status-stream.heartbeat-interval=200ms"})
class ConnectionLimitBurstTests {

    static final int GLOBAL_LIMIT = 30;
    static final int PRINCIPAL_LIMIT = 5;
    static final int PRINCIPALS = 4;
    static final int OPENS = 10;
    static final int ANONYMOUS = 30;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @LocalServerPort
    int port;
    @Autowired
    StatusStreamHandlerMapping endpoints;

    @Test
    void burstsOfConcurrentOpensAreAdmittedExactlyUpToTheLimitsAndCapacityComesBackWhenClientsLeave()
            throws Exception {
        try (Table table = new Table("limit_rows", 10)) {
            for (int round = 0; round < 2; round++) {
                List<TestStream> admitted = new ArrayList<>();
                try {
                    List<String> principals = new ArrayList<>();
                    for (int i = 0; i < PRINCIPALS * OPENS; i++) {
                        principals.add("user" + i % PRINCIPALS);
                    }
                    Map<String, Integer> byPrincipal = new HashMap<>();
                    List<TestStream> secured = burst(principals, "/secured/", 429, byPrincipal);
                    admitted.addAll(secured);
                    assertThat(byPrincipal).hasSize(PRINCIPALS).allSatisfy((principal, count) ->
                            assertThat(count).as(principal).isEqualTo(PRINCIPAL_LIMIT));

                    List<String> anonymous = new ArrayList<>();
                    for (int i = 0; i < ANONYMOUS; i++) {
                        anonymous.add(null);
                    }
                    admitted.addAll(burst(anonymous, "/rows/", 503, new HashMap<>()));
                    assertThat(admitted).hasSize(GLOBAL_LIMIT);
                    assertThat(endpoints.openConnections()).isEqualTo(GLOBAL_LIMIT);
                } finally {
                    admitted.forEach(TestStream::close);
                }
                // Gone clients are found by the next heartbeat; then every place is free for the next round.
                until(() -> endpoints.openConnections() == 0, () -> {
                }, WAIT);
            }
        }
    }

    /** Opens one stream per entry (a principal, or null for anonymous) all at once; returns the admitted ones. */
    private List<TestStream> burst(List<String> principals, String path, int refusal,
                                   Map<String, Integer> admittedByPrincipal) throws Exception {
        StatusStreamClient client = StatusStreamClient.forPort(port);
        List<CompletableFuture<TestStream>> opening = new ArrayList<>();
        for (int i = 0; i < principals.size(); i++) {
            String principal = principals.get(i);
            opening.add(client.openAsync(path + (1 + i % 10) + "/status-stream",
                    principal == null ? Map.of() : Map.of("X-User", principal)));
        }
        List<TestStream> admitted = new ArrayList<>();
        Map<Integer, Integer> statuses = new HashMap<>();
        for (int i = 0; i < opening.size(); i++) {
            TestStream connection = opening.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            statuses.merge(connection.status(), 1, Integer::sum);
            if (connection.status() == 200) {
                admitted.add(connection);
                if (principals.get(i) != null) {
                    admittedByPrincipal.merge(principals.get(i), 1, Integer::sum);
                }
            } else {
                assertThat(connection.status()).isEqualTo(refusal);
                assertThat(connection.header("Retry-After")).isNotNull();
                assertThat(connection.header("Content-Type")).isEqualTo("application/problem+json");
                connection.close();
            }
        }
        System.out.printf("burst of %d opens on %s: statuses %s%n", opening.size(), path, statuses);
        return admitted;
    }
}
