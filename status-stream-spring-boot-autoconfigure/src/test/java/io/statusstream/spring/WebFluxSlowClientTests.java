package io.statusstream.spring;

import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The slow-client contract on Spring WebFlux and Reactor Netty: no thread blocks on the stuck client (its write stays
 * in flight), and the stuck close aborts its connection, which gives the place back at once.
 */
@RequiresDatabase(TestDatabase.POSTGRES)
@SpringBootTest(classes = ReliabilityApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        SlowClientContract.TABLE, SlowClientContract.POLL_INTERVAL, SlowClientContract.HEARTBEAT_INTERVAL,
        SlowClientContract.STUCK_TIMEOUT, "spring.main.web-application-type=reactive"})
class WebFluxSlowClientTests extends SlowClientContract {
}
