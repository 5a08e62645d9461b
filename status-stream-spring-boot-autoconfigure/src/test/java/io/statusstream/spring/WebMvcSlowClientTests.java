package io.statusstream.spring;

import io.statusstream.jdbc.testing.RequiresDatabase;
import io.statusstream.jdbc.testing.TestDatabase;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The slow-client contract on Spring MVC and Tomcat, whose connection timeout bounds the write the stuck client blocks
 * (see the starter README, "Reliability"): longer than the stuck deadline here, so the engine cuts the client before
 * Tomcat fails the write, and the place is given back once that timeout ends it.
 */
@RequiresDatabase(TestDatabase.POSTGRES)
@SpringBootTest(classes = ReliabilityApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        SlowClientContract.TABLE, SlowClientContract.POLL_INTERVAL, SlowClientContract.HEARTBEAT_INTERVAL,
        SlowClientContract.STUCK_TIMEOUT, "server.tomcat.connection-timeout=10s"})
class WebMvcSlowClientTests extends SlowClientContract {
}
