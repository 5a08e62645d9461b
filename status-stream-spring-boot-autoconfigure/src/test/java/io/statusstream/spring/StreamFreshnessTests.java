package io.statusstream.spring;

import io.statusstream.core.Frames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.statusstream.core.CloseReason;
import io.statusstream.core.EventSink;
import io.statusstream.core.StateSource;
import io.statusstream.core.StatusStream;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Freshness an operator can see: the delivery lag timer and the staleness gauge on a real {@link SimpleMeterRegistry},
 * the observations of polls and touches on a real {@link TestObservationRegistry}, and the health of a stream whose
 * source fails or hangs.
 */
class StreamFreshnessTests {

    private static final Duration POLL_INTERVAL = Duration.ofSeconds(2);

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StatusStreamAutoConfiguration.class, StatusStreamWebMvcAutoConfiguration.class,
                    JacksonAutoConfiguration.class, WebMvcAutoConfiguration.class, MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class);

    @Test
    void theDeliveryLagTimerRecordsHowLongAfterItsPollAChangeWasWritten() {
        runner.withUserConfiguration(ManualBots.class).run(context -> {
            ManualBots bots = context.getBean(ManualBots.class);
            bots.writes.hold = true;
            stream(context).subscribe(List.of(1L), null, new FrameSink());
            bots.scheduler.runDue();
            bots.writes.runAll();

            bots.source.put(1L, "running");
            bots.scheduler.advance(POLL_INTERVAL);
            bots.scheduler.advance(Duration.ofMillis(250));
            bots.writes.runAll();

            Timer lag = context.getBean(MeterRegistry.class).get("status.stream.delivery.lag").tag("stream", "bots")
                    .timer();
            assertThat(lag.count()).as("the snapshot is not timed, the change is").isOne();
            assertThat(lag.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
            assertThat(lag.max(TimeUnit.MILLISECONDS)).isEqualTo(250);
        });
    }

    @Test
    void stalenessGrowsWhileTheSourceFailsTheHealthIsDownAndBothRecoverWithTheNextGoodPoll() {
        runner.withUserConfiguration(ManualBots.class).run(context -> {
            ManualBots bots = context.getBean(ManualBots.class);
            stream(context).subscribe(List.of(1L), null, new FrameSink());
            bots.scheduler.runDue();
            bots.source.failWith(new IllegalStateException("connection refused"));
            bots.scheduler.advance(Duration.ofMinutes(1));

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("status.stream.source.staleness").tag("stream", "bots").timeGauge()
                    .value(TimeUnit.SECONDS)).isEqualTo(60);
            Health failing = health(context);
            assertThat(failing.getStatus()).isEqualTo(Status.DOWN);
            assertThat(details(failing)).containsEntry("stale", true).containsEntry("staleness", "PT1M")
                    .containsEntry("sourceHealthy", false);

            bots.source.recover();
            stream(context).pollNow();
            bots.scheduler.runDue();
            assertThat(registry.get("status.stream.source.staleness").tag("stream", "bots").timeGauge()
                    .value(TimeUnit.SECONDS)).isZero();
            Health recovered = health(context);
            assertThat(recovered.getStatus()).isEqualTo(Status.UP);
            assertThat(details(recovered)).containsEntry("stale", false).containsEntry("staleness", "PT0S");
        });
    }

    @Test
    void aStreamWhoseSourceHangsIsStaleThoughNoPollFailsAndStaysUpUnlessAStaleStatusIsSet() {
        runner.withUserConfiguration(HangingBots.class)
                .withPropertyValues("status-stream.poll-interval=50ms", "status-stream.health.max-staleness=200ms")
                .run(context -> {
                    HangingSource source = context.getBean(HangingSource.class);
                    try {
                        openAndHang(context, source);
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> Boolean.TRUE.equals(details(health(context)).get("stale")));
                        Health stale = health(context);
                        assertThat(stale.getStatus()).isEqualTo(Status.UP);
                        assertThat(details(stale)).containsEntry("sourceHealthy", true);
                    } finally {
                        source.release.countDown();
                    }
                });
    }

    @Test
    void aConfiguredStaleStatusIsReportedForAStreamWhoseSourceHangs() {
        runner.withUserConfiguration(HangingBots.class)
                .withPropertyValues("status-stream.poll-interval=50ms", "status-stream.health.max-staleness=200ms",
                        "status-stream.health.stale-status=degraded")
                .run(context -> {
                    HangingSource source = context.getBean(HangingSource.class);
                    try {
                        openAndHang(context, source);
                        await().atMost(Duration.ofSeconds(10))
                                .until(() -> health(context).getStatus().equals(new Status("DEGRADED")));
                        assertThat(details(health(context))).containsEntry("stale", true);
                    } finally {
                        source.release.countDown();
                    }
                });
    }

    @Test
    void pollsAndTouchesAreObservedAndAPollFollowsTheTouchThatAskedForItInItsTrace() {
        runner.withUserConfiguration(ManualBots.class)
                .withBean(ObservationRegistry.class, TestObservationRegistry::create)
                .run(context -> {
                    ManualBots bots = context.getBean(ManualBots.class);
                    TestObservationRegistry observations = (TestObservationRegistry) context
                            .getBean(ObservationRegistry.class);
                    stream(context).subscribe(List.of(1L), null, new FrameSink());
                    bots.scheduler.runDue();

                    Observation request = Observation.start("test.request", observations);
                    try (Observation.Scope ignored = request.openScope()) {
                        bots.source.put(1L, "running");
                        stream(context).touch(1L);
                    }
                    request.stop();
                    bots.scheduler.runDue();
                    bots.source.failWith(new IllegalStateException("connection refused"));
                    bots.scheduler.advance(POLL_INTERVAL);

                    assertThat(observations)
                            .hasNumberOfObservationsWithNameEqualTo(StreamObservations.TOUCH, 1)
                            .hasNumberOfObservationsWithNameEqualTo(StreamObservations.POLL, 3)
                            .forAllObservationsWithNameEqualTo(StreamObservations.POLL, poll -> poll
                                    .hasLowCardinalityKeyValue("stream", "bots")
                                    .hasHighCardinalityKeyValue("keys", "1"));
                    assertThat(observations).hasObservationWithNameEqualTo(StreamObservations.TOUCH).that()
                            .hasParentObservationEqualTo(request)
                            .hasLowCardinalityKeyValue("stream", "bots")
                            .hasHighCardinalityKeyValue("keys", "1")
                            .hasBeenStopped();
                    Predicate<Observation.ContextView> aTouch = parent -> StreamObservations.TOUCH.equals(
                            parent.getName());
                    assertThat(observations).hasAnObservation(poll -> poll.hasNameEqualTo(StreamObservations.POLL)
                            .hasParentObservationContextMatching(aTouch));
                    assertThat(observations).hasAnObservation(poll -> poll.hasNameEqualTo(StreamObservations.POLL)
                            .hasError());
                });
    }

    @Test
    void aMaximumStalenessNotLongerThanAPollIntervalFailsTheStartNamingBothProperties() {
        runner.withUserConfiguration(ManualBots.class)
                .withPropertyValues("status-stream.health.max-staleness=5s",
                        "status-stream.streams.bots.poll-interval=5s")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .isInstanceOf(StatusStreamConfigurationException.class)
                        .hasMessageContaining("status-stream.health.max-staleness must be longer than"
                                + " status-stream.streams.bots.poll-interval (5s), was 5s"));
        runner.withUserConfiguration(ManualBots.class)
                .withPropertyValues("status-stream.health.max-staleness=0s")
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("status-stream.health.max-staleness must be positive"));
    }

    private static void openAndHang(ApplicationContext context, HangingSource source) throws Exception {
        StatusStream<Long, String> bots = stream(context);
        bots.subscribe(List.of(1L), null, new FrameSink()).ready().toCompletableFuture().get(10, TimeUnit.SECONDS);
        source.hang = true;
    }

    private static StatusStream<Long, String> stream(ApplicationContext context) {
        return context.getBean(StatusStreams.class).get("bots");
    }

    private static Health health(ApplicationContext context) {
        return context.getBean("statusStreamHealthIndicator", HealthIndicator.class).health();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> details(Health health) {
        return (Map<String, Object>) health.getDetails().get("bots");
    }

    /** A client that accepts every write. */
    private static final class FrameSink implements EventSink {

        @Override
        public void write(Frames written) {
            String frames = written.toString();
        }

        @Override
        public void close(CloseReason reason) {
        }
    }

    /** Runs writes at once, or holds them until {@link #runAll()}, so that time can pass before a write. */
    static final class HeldWrites implements Executor {

        private final Queue<Runnable> held = new ArrayDeque<>();
        volatile boolean hold;

        @Override
        public synchronized void execute(Runnable write) {
            if (hold) {
                held.add(write);
            } else {
                write.run();
            }
        }

        void runAll() {
            for (Runnable write; (write = next()) != null; ) {
                write.run();
            }
        }

        private synchronized Runnable next() {
            return held.poll();
        }
    }

    /** A source that answers until told to hang, as a database call without a timeout does. */
    static final class HangingSource implements StateSource<Long, String> {

        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean hang;

        @Override
        public Map<Long, String> fetch(Collection<Long> keys) {
            if (hang) {
                try {
                    release.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while hanging", interrupted);
                }
            }
            return Map.of(1L, "idle");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ManualBots {

        final ManualStreamScheduler scheduler = new ManualStreamScheduler();
        final HeldWrites writes = new HeldWrites();
        final InMemoryStateSource<Long, String> source = new InMemoryStateSource<Long, String>().put(1L, "idle");

        @Bean
        StreamDefinition<Long, String> bots() {
            return StreamDefinition.builder("bots", source).keyParser(Long::valueOf).publicAccess()
                    .scheduler(scheduler).writerExecutor(writes).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class HangingBots {

        @Bean
        HangingSource hangingSource() {
            return new HangingSource();
        }

        @Bean
        StreamDefinition<Long, String> bots(HangingSource source) {
            return StreamDefinition.builder("bots", source).keyParser(Long::valueOf).publicAccess().build();
        }
    }
}
