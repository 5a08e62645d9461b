package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatTest {

    private static final Duration HEARTBEAT = StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private final StatusStream<String, String> stream = TestStreams.builder(source, scheduler)
            .keyRetention(Duration.ZERO).build();

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void anIdleStreamGetsAPingEveryHeartbeatInterval() {
        source.put("bot", "running");
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        scheduler.advance(HEARTBEAT.multipliedBy(4));

        assertThat(sink.heartbeats()).isEqualTo(3);
        assertThat(sink.raw()).endsWith("event: ping\ndata: \n\n");
        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running");
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

        assertThat(sink.heartbeats()).isZero();
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
}
