package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.spring.TestApplication.Bot;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/** Under {@code server.servlet.context-path}, the streams and the browser client move with the application. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.servlet.context-path=/app")
class ContextPathHttpTests {

    @LocalServerPort
    int port;
    @Autowired
    ManualStreamScheduler scheduler;
    @Autowired
    InMemoryStateSource<Long, Bot> source;

    @Test
    void theStreamAndTheClientAreServedUnderTheContextPath() {
        source.put(41L, new Bot("ctx", "v1"));
        StatusStreamClient app = StatusStreamClient.forBaseUri(URI.create("http://localhost:" + port + "/app"))
                .whileWaiting(scheduler::runDue);

        try (TestStream stream = app.open("/api/v1/bots/41/status-stream")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.expectSnapshot("41").state()).contains("v1");
        }
        try (TestStream script = app.open("/status-stream/status-stream.js")) {
            assertThat(script.status()).isEqualTo(200);
            assertThat(script.body()).as("relative stream URLs resolve against the client's own URL")
                    .contains("new URL('../', import.meta.url)");
        }
        assertThat(StatusStreamClient.forPort(port).open("/api/v1/bots/41/status-stream").status())
                .as("nothing outside the context path").isEqualTo(404);
    }
}
