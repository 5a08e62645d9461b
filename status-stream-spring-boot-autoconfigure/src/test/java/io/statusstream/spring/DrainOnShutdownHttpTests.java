package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.spring.TestApplication.Bot;
import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.StreamEvent;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.statusstream.spring.Drive.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutdown over real HTTP with {@code status-stream.shutdown.drain-period}: the open streams end in the engine's
 * waves, each with a retry hint and {@code event: end} (shutdown), new requests are refused meanwhile, and a period
 * of 0 ends every stream at once. The test application's {@link ManualStreamScheduler} is the engine's clock: the
 * test advances it wave by wave while the context closes on another thread.
 */
@ExtendWith(OutputCaptureExtension.class)
class DrainOnShutdownHttpTests {

    private static final String PATH = "/api/v1/bots/1/status-stream";
    private static final int STREAMS = 20;
    /** 20 streams over 20 s: 20 waves of one stream, 1 s apart on the engine's clock. */
    private static final Duration PERIOD = Duration.ofSeconds(20);
    private static final long RECONNECT_DELAY_MILLIS = 500;

    @Test
    void everyStreamEndsInItsOwnWaveWithARetryHintSpreadingTheReconnectsOverThePeriod(CapturedOutput output)
            throws Exception {
        ConfigurableApplicationContext context = start("status-stream.shutdown.drain-period=20s");
        ManualStreamScheduler scheduler = context.getBean(ManualStreamScheduler.class);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        List<TestStream> streams = new ArrayList<>();
        try {
            StatusStreamClient client = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue);
            for (int i = 0; i < STREAMS; i++) {
                TestStream stream = client.open(PATH);
                assertThat(stream.nextEvent().data()).contains("snapshot");
                streams.add(stream);
            }

            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);

            // The first wave is due at once: it runs as soon as the drain has started.
            Map<TestStream, Integer> endedInWave = new HashMap<>();
            until(() -> ended(streams, endedInWave, 0) == 1, scheduler::runDue);
            try (TestStream refused = StatusStreamClient.forPort(port).open(PATH)) {
                assertThat(refused.status()).as("a new stream during the drain").isEqualTo(503);
                assertThat(refused.header("Retry-After")).isNotNull();
            }
            for (int wave = 1; wave < STREAMS; wave++) {
                scheduler.advance(PERIOD.dividedBy(STREAMS));
                int expected = wave + 1;
                int current = wave;
                until(() -> ended(streams, endedInWave, current) >= expected, () -> {
                });
                assertThat(ended(streams, endedInWave, wave)).as("ended after wave %d", wave).isEqualTo(expected);
            }
            closing.get(StatusStreamClient.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            long waveMillis = PERIOD.dividedBy(STREAMS).toMillis();
            for (TestStream stream : streams) {
                List<StreamEvent> events = stream.events();
                StreamEvent last = events.get(events.size() - 1);
                assertThat(last.type()).as("the last event of %s", stream).isEqualTo("end");
                assertThat(last.data()).isEqualTo("{\"reason\":\"shutdown\"}");
                long comesBackAt = endedInWave.get(stream) * waveMillis + stream.retry() - RECONNECT_DELAY_MILLIS;
                assertThat(comesBackAt).as("reconnection after the reconnect delay, within the stream's wave")
                        .isBetween(endedInWave.get(stream) * waveMillis, (endedInWave.get(stream) + 1) * waveMillis - 1);
            }
            assertThat(streams.stream().mapToLong(TestStream::retry).distinct().count())
                    .as("a retry hint drawn per stream").isGreaterThan(1);
            assertThat(output.toString()).contains("Status streams drained: " + STREAMS + " open streams {bots="
                    + STREAMS + ", orders=0} ended in waves over the 20000 ms drain period");
        } finally {
            context.close();
            streams.forEach(TestStream::close);
        }
    }

    @Test
    void aDrainPeriodOfZeroEndsEveryStreamAtOnce(CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = start("status-stream.shutdown.drain-period=0");
        ManualStreamScheduler scheduler = context.getBean(ManualStreamScheduler.class);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        List<TestStream> streams = new ArrayList<>();
        try {
            StatusStreamClient client = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue);
            for (int i = 0; i < 5; i++) {
                TestStream stream = client.open(PATH);
                assertThat(stream.nextEvent().data()).contains("snapshot");
                streams.add(stream);
            }

            CompletableFuture.runAsync(context::close)
                    .get(StatusStreamClient.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            // The engine's clock did not move: nothing waited for a wave.
            for (TestStream stream : streams) {
                stream.awaitEnd();
                assertThat(stream.events()).noneMatch(event -> "end".equals(event.type()));
            }
            assertThat(output.toString()).contains("Status streams closed: 5 open streams {bots=5, orders=0} ended"
                    + " at once");
        } finally {
            context.close();
            streams.forEach(TestStream::close);
        }
    }

    @Test
    void aDrainWhoseSchedulerNobodyRunsIsGivenUpOnceItStandsStillInsteadOfHoldingShutdownForThePeriod(
            CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = start("status-stream.shutdown.drain-period=60s");
        ManualStreamScheduler scheduler = context.getBean(ManualStreamScheduler.class);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        List<TestStream> streams = new ArrayList<>();
        try {
            StatusStreamClient client = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue);
            for (int i = 0; i < 3; i++) {
                TestStream stream = client.open(PATH);
                assertThat(stream.nextEvent().data()).contains("snapshot");
                streams.add(stream);
            }

            // Nobody runs the scheduler: not even the first wave, due at once, runs.
            CompletableFuture.runAsync(context::close)
                    .get(StatusStreamClient.DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            for (TestStream stream : streams) {
                stream.awaitEnd();
            }
            assertThat(output.toString()).contains("stood still for PT3S");
        } finally {
            context.close();
            streams.forEach(TestStream::close);
        }
    }

    @SuppressWarnings("unchecked")
    private static ConfigurableApplicationContext start(String drainPeriod) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplication.class)
                .properties("server.port=0", "server.shutdown=graceful",
                        "status-stream.reconnect-delay=" + RECONNECT_DELAY_MILLIS + "ms",
                        "status-stream.reconnect-jitter=0s")
                .run("--" + drainPeriod); // over the test properties' 0
        ((InMemoryStateSource<Long, Bot>) context.getBean("botSource")).put(1L, new Bot("a", "OK"));
        return context;
    }

    /** Records the wave in which each stream was first seen ended; returns how many have ended. */
    private static int ended(List<TestStream> streams, Map<TestStream, Integer> endedInWave, int wave) {
        for (TestStream stream : streams) {
            if (stream.ended()) {
                endedInWave.putIfAbsent(stream, wave);
            }
        }
        return endedInWave.size();
    }
}
