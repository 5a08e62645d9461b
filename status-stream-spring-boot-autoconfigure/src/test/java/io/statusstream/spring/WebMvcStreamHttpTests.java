package io.statusstream.spring;

import io.statusstream.spring.TestApplication.Bot;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP contract on Spring MVC and Tomcat, and what only a servlet stack has: its async request timeout. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {StreamHttpContract.MAX_KEYS, StreamHttpContract.CORS_ORIGIN, StreamHttpContract.CORS_CREDENTIALS,
                "spring.mvc.async.request-timeout=100ms"})
class WebMvcStreamHttpTests extends StreamHttpContract {

    @Test
    void theAsyncRequestTimeoutDoesNotCutAStream() throws InterruptedException {
        source.put(15L, new Bot("q", "v1"));
        try (TestStream stream = connect("/api/v1/bots/15/status-stream")) {
            stream.next();
            stream.nextPing(); // the greeting
            // Far beyond spring.mvc.async.request-timeout (100ms here), and beyond Tomcat's once-a-second timeout check.
            assertThat(stream.poll(Duration.ofMillis(2500))).as("nothing").isNull();
            assertThat(stream.ended()).as("not even the end of the stream").isFalse();
            source.put(15L, new Bot("q", "v2"));
            streams.<Long, Bot>get("bots").touch(15L);
            scheduler.runDue();
            assertThat(stream.next().data()).contains("v2");
        }
    }
}
