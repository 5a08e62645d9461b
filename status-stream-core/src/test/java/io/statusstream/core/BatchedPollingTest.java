package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class BatchedPollingTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private StatusStream<String, String> stream;

    @AfterEach
    void close() {
        if (stream != null) {
            stream.close();
        }
    }

    @Test
    void aThousandSubscribersOnTenKeysCostOneSourceCallPerIntervalHoldingTheTenKeys() {
        List<String> keys = keys(10);
        keys.forEach(key -> source.put(key, "v0"));
        stream = TestStreams.builder(source, scheduler).build();
        for (int i = 0; i < 1_000; i++) {
            stream.subscribe(List.of(keys.get(i % 10)), null, new RecordingSink());
        }
        scheduler.runDue();
        assertThat(source.callCount()).as("first fetch of the new keys, shared by all").isEqualTo(1);
        source.forgetCalls();

        scheduler.advance(INTERVAL.multipliedBy(5));

        assertThat(source.calls()).hasSize(5)
                .allSatisfy(call -> assertThat(call).containsExactlyInAnyOrderElementsOf(keys));
    }

    @Test
    void keysAreFetchedInChunksOfTheBatchSize() {
        List<String> keys = keys(2_500);
        stream = TestStreams.builder(source, scheduler).batchSize(1_000).build();
        stream.subscribe(keys, null, new RecordingSink());
        scheduler.runDue();
        source.forgetCalls();

        scheduler.advance(INTERVAL);

        assertThat(source.calls()).extracting(List::size).containsExactly(1_000, 1_000, 500);
        assertThat(source.calls().stream().flatMap(List::stream)).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void newKeysSubscribedTogetherShareOneFetchBeforeTheNextTick() {
        stream = TestStreams.builder(source, scheduler).build();
        for (String key : keys(30)) {
            stream.subscribe(List.of(key), null, new RecordingSink());
            stream.subscribe(List.of(key), "stale-epoch-7", new RecordingSink());
        }

        scheduler.runDue();

        assertThat(source.calls()).hasSize(1);
        assertThat(source.calls().get(0)).containsExactlyInAnyOrderElementsOf(keys(30));
    }

    @Test
    void theLastSubscriberLeavingUnwatchesTheKeyOnceTheRetentionHasPassed() {
        source.put("a", "1").put("b", "1");
        stream = TestStreams.builder(source, scheduler).keyRetention(INTERVAL.multipliedBy(3)).build();
        Subscription<String> first = stream.subscribe(List.of("a", "b"), null, new RecordingSink());
        Subscription<String> second = stream.subscribe(List.of("a"), null, new RecordingSink());
        scheduler.runDue();

        first.close();
        scheduler.advance(INTERVAL);
        assertThat(lastCall()).containsExactlyInAnyOrder("a", "b");
        second.close();
        scheduler.advance(INTERVAL.multipliedBy(3));
        assertThat(stream.stats().watchedKeys()).isZero();
        source.forgetCalls();

        scheduler.advance(INTERVAL.multipliedBy(3));

        assertThat(source.calls()).isEmpty();
        assertThat(stream.stats().subscribers()).isZero();
    }

    @Test
    void withoutRetentionTheLastSubscriberLeavingUnwatchesAtOnce() {
        source.put("a", "1");
        stream = TestStreams.builder(source, scheduler).keyRetention(Duration.ZERO).build();
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, new RecordingSink());
        scheduler.runDue();

        subscription.close();

        assertThat(stream.stats().watchedKeys()).isZero();
        assertThat(subscription.isOpen()).isFalse();
    }

    @Test
    void touchFetchesOnlyTheTouchedWatchedKeysAtOnceAndCoalescesHints() {
        keys(5).forEach(key -> source.put(key, "v0"));
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(keys(5), null, sink);
        scheduler.runDue();
        source.forgetCalls();
        source.put("k1", "v1");

        stream.touch(List.of("k1", "k3"));
        stream.touch("k1");
        stream.touch("not-watched");
        scheduler.runDue();

        assertThat(source.calls()).hasSize(1);
        assertThat(source.calls().get(0)).containsExactlyInAnyOrder("k1", "k3");
        assertThat(sink.data()).last().isEqualTo("k1|CHANGE|v1");
    }

    @Test
    void notifierHintsPollTheirKeysAndAResyncPollsEveryKey() {
        keys(3).forEach(key -> source.put(key, "v0"));
        AtomicReference<ChangeNotifier.Listener<String>> listener = new AtomicReference<>();
        stream = TestStreams.builder(source, scheduler).changeNotifier(new ChangeNotifier<>() {
            @Override
            public void start(Listener<String> engine) {
                listener.set(engine);
            }

            @Override
            public void close() {
            }
        }).build();
        stream.subscribe(keys(3), null, new RecordingSink());
        scheduler.runDue();
        source.forgetCalls();

        listener.get().keysChanged(List.of("k2"));
        scheduler.runDue();
        listener.get().resync();
        listener.get().resync();
        scheduler.runDue();

        assertThat(source.calls()).extracting(call -> Set.copyOf(call))
                .containsExactly(Set.of("k2"), Set.copyOf(keys(3)));
    }

    @Test
    void aPollLongerThanTheIntervalSkipsTicksInsteadOfOverlapping() {
        source.put("a", "1");
        List<Long> skipped = new ArrayList<>();
        AtomicBoolean slow = new AtomicBoolean();
        StateSource<String, String> slowSource = keys -> {
            if (slow.get()) {
                // The call "takes" two intervals and a bit: the clock moves while the poller is inside it.
                scheduler.advance(INTERVAL.multipliedBy(2).plusMillis(10));
            }
            return source.fetch(keys);
        };
        stream = StatusStream.builder(slowSource).scheduler(scheduler).writerExecutor(Runnable::run)
                .metrics(new StreamMetrics() {
                    @Override
                    public void pollsSkipped(long ticks) {
                        skipped.add(ticks);
                    }
                }).build();
        stream.subscribe(List.of("a"), null, new RecordingSink());
        scheduler.runDue();
        source.forgetCalls();
        slow.set(true);

        scheduler.advance(INTERVAL);

        assertThat(source.callCount()).as("no second poll started while the first ran").isEqualTo(1);
        assertThat(skipped).containsExactly(2L);
    }

    private List<String> lastCall() {
        List<List<String>> calls = source.calls();
        return calls.get(calls.size() - 1);
    }

    private static List<String> keys(int count) {
        return IntStream.range(0, count).mapToObj(i -> "k" + i).toList();
    }
}
