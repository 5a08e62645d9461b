package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.core.testing.SseParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private StatusStream<String, String> stream;

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void aReconnectWithinTheRingReplaysTheMissedChangesInOrder() {
        stream = TestStreams.builder(source, scheduler).build();
        String lastSeen = watchAndDisconnectAfter(List.of("bot"), "v0");
        change("bot", "v1");
        change("bot", "v2");
        change("bot", "v3");

        RecordingSink reconnected = reconnect(List.of("bot"), lastSeen);

        assertThat(reconnected.data()).containsExactly("bot|CHANGE|v1", "bot|CHANGE|v2", "bot|CHANGE|v3");
    }

    @Test
    void aReconnectBeyondTheRingGetsASnapshot() {
        stream = TestStreams.builder(source, scheduler).replay(2, Duration.ofMinutes(5)).build();
        String lastSeen = watchAndDisconnectAfter(List.of("bot"), "v0");
        change("bot", "v1");
        change("bot", "v2");
        change("bot", "v3");

        RecordingSink reconnected = reconnect(List.of("bot"), lastSeen);

        assertThat(reconnected.data()).containsExactly("bot|SNAPSHOT|v3");
    }

    @Test
    void aReconnectAfterTheReplayAgeGetsASnapshot() {
        stream = TestStreams.builder(source, scheduler).replay(16, Duration.ofSeconds(30)).build();
        String lastSeen = watchAndDisconnectAfter(List.of("bot"), "v0");
        change("bot", "v1");
        scheduler.advance(Duration.ofSeconds(31));

        RecordingSink reconnected = reconnect(List.of("bot"), lastSeen);

        assertThat(reconnected.data()).containsExactly("bot|SNAPSHOT|v1");
    }

    @Test
    void theOnlyClientReconnectingWithinTheKeyRetentionGetsAReplayNotASnapshot() {
        stream = TestStreams.builder(source, scheduler).keyRetention(Duration.ofSeconds(30)).build();
        source.put("bot", "v0");
        RecordingSink sink = new RecordingSink();
        Subscription<String> only = stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();
        only.close();
        change("bot", "v1");
        change("bot", "v2");

        RecordingSink reconnected = reconnect(List.of("bot"), sink.lastEventId());

        assertThat(reconnected.data()).containsExactly("bot|CHANGE|v1", "bot|CHANGE|v2");
    }

    @Test
    void aReplayLongerThanTheQueueBoundIsSentAsOneSnapshotPerKey() {
        stream = TestStreams.builder(source, scheduler).maxQueuedEvents(3).build();
        String lastSeen = watchAndDisconnectAfter(List.of("a", "b"), "v0");
        change("a", "a1");
        change("b", "b1");
        change("a", "a2");
        change("b", "b2");

        RecordingSink reconnected = reconnect(List.of("a", "b"), lastSeen);

        assertThat(reconnected.data()).containsExactly("a|SNAPSHOT|a2", "b|SNAPSHOT|b2");
    }

    @Test
    void withReplayOffEveryReconnectGetsASnapshot() {
        stream = TestStreams.builder(source, scheduler).replay(0, Duration.ofMinutes(5)).build();
        String lastSeen = watchAndDisconnectAfter(List.of("bot"), "v0");
        change("bot", "v1");

        RecordingSink reconnected = reconnect(List.of("bot"), lastSeen);

        assertThat(reconnected.data()).containsExactly("bot|SNAPSHOT|v1");
    }

    @Test
    void aClientThatMissedNothingGetsNothingOnReconnect() {
        stream = TestStreams.builder(source, scheduler).build();
        String lastSeen = watchAndDisconnectAfter(List.of("bot"), "v0");

        RecordingSink reconnected = reconnect(List.of("bot"), lastSeen);

        assertThat(reconnected.data()).isEmpty();
        assertThat(reconnected.retry()).as("the stream still opens").isPositive();
    }

    @ParameterizedTest(name = "Last-Event-ID \"{0}\" gets a snapshot")
    @ValueSource(strings = {"", "garbage", "-", "0", "1-1", "abc-", "-5", "EPOCH-x", "EPOCH--1", "EPOCH-99999",
            "EPOCH-1.0", "EPOCH-99999999999999999999999999", "EPOCH-1\n"})
    void aForeignMalformedOrFutureLastEventIdGetsASnapshotNeverAnError(String lastEventId) {
        stream = TestStreams.builder(source, scheduler).build();
        String lastSeen = watchAndDisconnectAfter(List.of("bot"), "v0");
        change("bot", "v1");
        String epoch = lastSeen.substring(0, lastSeen.indexOf('-'));

        RecordingSink reconnected = reconnect(List.of("bot"), lastEventId.replace("EPOCH", epoch));

        assertThat(reconnected.data()).containsExactly("bot|SNAPSHOT|v1");
    }

    @Test
    void aHugeLastEventIdGetsASnapshot() {
        stream = TestStreams.builder(source, scheduler).build();
        watchAndDisconnectAfter(List.of("bot"), "v0");

        RecordingSink reconnected = reconnect(List.of("bot"), "7".repeat(10_000));

        assertThat(reconnected.data()).containsExactly("bot|SNAPSHOT|v0");
    }

    @Test
    void anIdFromAnotherEngineGetsASnapshot() {
        stream = TestStreams.builder(source, scheduler).build();
        String lastSeen = watchAndDisconnectAfter(List.of("bot"), "v0");
        change("bot", "v1");
        stream.close();
        stream = TestStreams.builder(source, scheduler).build();

        RecordingSink reconnected = reconnect(List.of("bot"), lastSeen);

        assertThat(reconnected.data()).containsExactly("bot|SNAPSHOT|v1");
    }

    @Test
    void aMultiKeyReplayMergesTheKeysInIdOrderAndSnapshotsKeysWhoseRingIsTooShort() {
        stream = TestStreams.builder(source, scheduler).replay(2, Duration.ofMinutes(5)).build();
        String lastSeen = watchAndDisconnectAfter(List.of("a", "b", "c"), "v0");
        change("a", "a1");
        change("b", "b1");
        change("c", "c1");
        change("c", "c2");
        change("a", "a2");
        change("c", "c3");

        RecordingSink reconnected = reconnect(List.of("a", "b", "c"), lastSeen);

        assertThat(reconnected.data()).containsExactly(
                "a|CHANGE|a1", "b|CHANGE|b1", "a|CHANGE|a2", "c|SNAPSHOT|c3");
        assertThat(reconnected.events()).extracting(SseParser.Event::lastEventId)
                .extracting(FanOutTest::seq).isSorted();
    }

    /**
     * The property replay exists for: whatever event a client last received before it was cut, reconnecting with
     * that id brings it to the true current state of every key, and it never receives an id lower than one it has.
     */
    @Test
    void aClientCutAfterAnyEventConvergesOnReconnect() {
        Random random = new Random(42);
        List<String> keys = List.of("a", "b", "c", "d");
        for (int round = 0; round < 30; round++) {
            stream = TestStreams.builder(source, scheduler).replay(3, Duration.ofMinutes(5)).build();
            keys.forEach(key -> source.put(key, key + "0"));
            RecordingSink original = new RecordingSink();
            Subscription<String> subscription = stream.subscribe(keys, null, original);
            scheduler.runDue();
            for (int poll = 0; poll < 12; poll++) {
                for (String key : keys) {
                    int dice = random.nextInt(6);
                    if (dice == 0) {
                        source.remove(key);
                    } else if (dice < 3) {
                        source.put(key, key + poll + "-" + random.nextInt(1_000));
                    }
                }
                scheduler.advance(INTERVAL);
            }
            subscription.close();
            List<SseParser.Event> received = original.events();
            for (int cut = 0; cut < received.size(); cut++) {
                Map<String, String> view = new HashMap<>();
                received.subList(0, cut + 1).forEach(event -> apply(view, event));
                RecordingSink reconnected = reconnect(keys, received.get(cut).lastEventId());
                reconnected.events().forEach(event -> apply(view, event));

                Map<String, String> truth = new HashMap<>();
                keys.forEach(key -> truth.put(key, String.valueOf(source.fetch(List.of(key)).get(key))));
                assertThat(view).as("round %d, cut after event %d", round, cut).isEqualTo(truth);
                long cutSeq = FanOutTest.seq(received.get(cut).lastEventId());
                assertThat(reconnected.events()).extracting(SseParser.Event::lastEventId)
                        .extracting(FanOutTest::seq).allSatisfy(seq -> assertThat(seq).isGreaterThan(cutSeq));
            }
            stream.close();
        }
    }

    private static void apply(Map<String, String> view, SseParser.Event event) {
        String[] parts = event.data().split("\\|", 3);
        view.put(parts[0], parts[2]);
    }

    /** Subscribes, receives the first state of every key, disconnects; returns the last id received. */
    private String watchAndDisconnectAfter(List<String> keys, String state) {
        keys.forEach(key -> source.put(key, state));
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(keys, null, sink);
        scheduler.runDue();
        // Another client keeps the keys watched, so the engine keeps polling them while the first one is away.
        stream.subscribe(keys, null, new RecordingSink());
        subscription.close();
        assertThat(sink.events()).hasSize(keys.size());
        return sink.lastEventId();
    }

    private void change(String key, String state) {
        source.put(key, state);
        scheduler.advance(INTERVAL);
    }

    private RecordingSink reconnect(List<String> keys, String lastEventId) {
        RecordingSink sink = new RecordingSink();
        stream.subscribe(keys, lastEventId, sink);
        scheduler.runDue();
        return sink;
    }
}
