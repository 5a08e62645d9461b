package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The periodic re-check: with {@code status-stream.access-recheck-interval} set, a key the policy stops allowing is
 * revoked from the open streams without anybody asking.
 */
@SpringBootTest(classes = AccessRecheckHttpTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "status-stream.access-recheck-interval=200ms")
class PeriodicAccessRecheckHttpTests {

    @LocalServerPort
    int port;
    @Autowired
    InMemoryStateSource<Long, String> rows;
    @Autowired
    AccessRecheckHttpTests.Grants grants;
    @Autowired
    ManualStreamScheduler scheduler;

    @Test
    void aKeyThePolicyStopsAllowingIsRevokedByTheNextRound() {
        rows.put(1L, "one").put(2L, "two");
        try (TestStream stream = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue)
                .withHeader("X-User", "alice").open("/status-streams/watched/status-stream?ids=1,2")) {
            stream.expectSnapshot("1");
            stream.expectSnapshot("2");

            grants.set("alice", 1L, AccessDecision.DENY);

            stream.expectRevoked("1");
        }
    }
}
