package io.statusstream.spring;

import java.util.Map;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.test.TestStream;
import io.statusstream.spring.TestApplication.Bot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class GracefulShutdownTests {

    /** The default drain period, over the test properties' 0. */
    private static final String DRAIN = "--status-stream.shutdown.drain-period=10s";

    @Test
    @SuppressWarnings("unchecked")
    void shutdownCompletesEveryOpenStreamInsteadOfHoldingGracefulShutdownUntilItsTimeout(CapturedOutput output)
            throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplication.class)
                .properties("server.port=0", "server.shutdown=graceful",
                        "spring.lifecycle.timeout-per-shutdown-phase=30s")
                .run(DRAIN);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        ((InMemoryStateSource<Long, Bot>) context.getBean("botSource")).put(1L, new Bot("a", "OK"));
        StatusStreamClient client = StatusStreamClient.forPort(port).whileWaiting(context.getBean(ManualStreamScheduler.class)::runDue);
        try (TestStream stream = client.open("/api/v1/bots/1/status-stream")) {
            assertThat(stream.nextEvent().data()).contains("snapshot");
            int logBeforeClose = output.length();

            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);

            assertThat(stream.awaitEnd().ended()).as("the server ends the stream").isTrue();
            closing.get(StatusStreamClient.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            // This application has no connection pool: a pool's lines come from another test's cached context.
            assertThat(output.toString().substring(logBeforeClose).lines()
                    .filter(line -> !line.contains("com.zaxxer.hikari")))
                    .as("ending streams logs no warning or exception")
                    .noneMatch(line -> line.contains("WARN") || line.contains("ERROR") || line.contains("Exception"));
        } finally {
            context.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRequestStillWaitingForItsFirstStateIsAnswered503WhenTheApplicationShutsDown() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplication.class)
                .properties("server.port=0", "server.shutdown=graceful").run(DRAIN);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        InMemoryStateSource<Long, Bot> source = (InMemoryStateSource<Long, Bot>) context.getBean("botSource");
        source.put(1L, new Bot("a", "OK")).failWith(new IllegalStateException("database is down"));
        ManualStreamScheduler scheduler = context.getBean(ManualStreamScheduler.class);
        StatusStreams streams = context.getBean(StatusStreams.class);
        try {
            CompletableFuture<TestStream> response = StatusStreamClient.forPort(port).openAsync("/api/v1/bots/1/status-stream", Map.of());
            Drive.until(() -> streams.get("bots").stats().subscribers() == 1, scheduler::runDue);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);

            try (TestStream refused = response.get(StatusStreamClient.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("Retry-After")).isNotNull();
                assertThat(refused.body()).contains("shutting down");
            }
            closing.get(StatusStreamClient.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            context.close();
        }
    }
}
