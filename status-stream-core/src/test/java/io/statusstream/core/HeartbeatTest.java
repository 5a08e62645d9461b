package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatTest {

    private static final Duration HEARTBEAT = StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    /** Writes run as tasks after the one that queued them, as on real writer threads, not inline. */
    private final StatusStream<String, String> stream = StatusStream.builder(source).name("test").scheduler(scheduler)
            .writerExecutor(task -> scheduler.schedule(task, Duration.ZERO))
            .serializer(TestStreams.KEY_KIND_STATE).keyRetention(Duration.ZERO).build();

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void anIdleStreamIsNeverSilentForLongerThanTheHeartbeatInterval() {
        source.put("bot", "running");
        List<Long> writeTimes = new ArrayList<>();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, new EventSink() {
            @Override
            public void write(Frames written) throws IOException {
                writeTimes.add(scheduler.nanoTime());
                sink.write(written);
            }

            @Override
            public void close(CloseReason reason) {
            }
        });
        scheduler.runDue();

        scheduler.advance(HEARTBEAT.multipliedBy(10));

        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < writeTimes.size(); i++) {
            gaps.add(writeTimes.get(i) - writeTimes.get(i - 1));
        }
        assertThat(gaps).as("gaps between writes of an idle stream").hasSizeGreaterThanOrEqualTo(10)
                .allSatisfy(gap -> assertThat(gap).isLessThanOrEqualTo(HEARTBEAT.toNanos())
                        .isGreaterThanOrEqualTo(HEARTBEAT.toNanos() * 7 / 8));
        assertThat(sink.raw()).endsWith("event: ping\ndata: " + HEARTBEAT.toMillis() + "\n\n");
        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running");
    }

    @Test
    void aStreamThatWroteAnEventJustNowIsPingedAHeartbeatIntervalLaterNotAtTheNextTick() {
        source.put("bot", "0");
        List<Long> pingTimes = new ArrayList<>();
        stream.subscribe(List.of("bot"), null, new EventSink() {
            @Override
            public void write(Frames written) {
                String frames = written.toString();
                if (frames.contains("event: ping")) {
                    pingTimes.add(scheduler.nanoTime());
                }
            }

            @Override
            public void close(CloseReason reason) {
            }
        });
        scheduler.runDue();
        pingTimes.clear(); // the greeting: the first write carries one ping, telling the client the interval
        scheduler.advance(HEARTBEAT.dividedBy(2));
        source.put("bot", "1");
        stream.touch("bot");
        scheduler.runDue();
        long changedAt = scheduler.nanoTime();

        scheduler.advance(HEARTBEAT);

        assertThat(pingTimes).singleElement().satisfies(pingedAt ->
                assertThat(pingedAt - changedAt).isBetween(HEARTBEAT.toNanos() * 7 / 8, HEARTBEAT.toNanos()));
    }

    @Test
    void aStreamThatReceivedEventsSinceTheLastTickGetsNoPing() {
        source.put("bot", "0");
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        for (int second = 2; second <= 60; second += 2) {
            source.put("bot", String.valueOf(second));
            scheduler.advance(Duration.ofSeconds(2));
        }

        assertThat(sink.heartbeats()).as("only the greeting of the first write").isEqualTo(1);
    }

    @Test
    void aHeartbeatToAVanishedClientReleasesItsSubscriptionAndKey() {
        source.put("bot", "running");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        sink.disconnect();
        scheduler.advance(HEARTBEAT.multipliedBy(2));

        assertThat(subscription.isOpen()).isFalse();
        assertThat(sink.closedWith()).isEqualTo(CloseReason.WRITE_FAILED);
        assertThat(stream.stats().subscribers()).isZero();
        assertThat(stream.stats().watchedKeys()).isZero();
    }

    @Test
    void aProbeWritesAHeartbeatAtOnceThoughTheStreamIsNotIdle() {
        source.put("bot", "running");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        subscription.probe();
        scheduler.runDue();

        assertThat(sink.heartbeats()).as("the greeting, and the probe's").isEqualTo(2);
        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running");
    }

    @Test
    void aProbeOfAVanishedClientEndsItsSubscriptionWithoutWaitingForTheHeartbeat() {
        source.put("bot", "running");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();
        sink.disconnect();

        subscription.probe();
        scheduler.runDue();

        assertThat(subscription.isOpen()).isFalse();
        assertThat(sink.closedWith()).isEqualTo(CloseReason.WRITE_FAILED);
        assertThat(stream.stats().subscribers()).isZero();
    }

    @Test
    void aProbeBeforeTheStreamStartedOrAfterItClosedWritesNothing() {
        source.put("bot", "running");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, sink);

        subscription.probe();
        scheduler.runDue();
        assertThat(sink.heartbeats()).as("probed before the first state was known: only the greeting").isEqualTo(1);
        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running");

        subscription.close();
        String written = sink.raw();
        subscription.probe();
        scheduler.runDue();
        assertThat(sink.raw()).isEqualTo(written);
    }

    @Test
    void theFirstWriteTellsTheClientTheHeartbeatIntervalAfterItsFirstEvents() {
        source.put("bot", "running");
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, sink);

        scheduler.runDue();

        assertThat(sink.raw()).startsWith("retry: ")
                .endsWith("event: ping\ndata: " + HEARTBEAT.toMillis() + "\n\n");
        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running");
    }
}
