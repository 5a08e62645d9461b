package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.core.testing.SseParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.statusstream.core.ScriptedCluster.EPOCH;
import static io.statusstream.core.ScriptedCluster.event;
import static io.statusstream.core.StateEvent.Kind.CHANGE;
import static io.statusstream.core.StateEvent.Kind.SNAPSHOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** How an engine behaves in a cluster: as the poller for all instances, as a follower of the log, and in between. */
class ClusterModeTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private final ScriptedCluster cluster = new ScriptedCluster();
    private StatusStream<String, String> stream;

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void theLeaderPollsEveryInstancesKeysInBatchesAndAppendsOnlyChanges() {
        source.put("a", "v0").put("b", "v0").put("c", "v0");
        cluster.otherInstancesKeys.addAll(List.of("a", "b", "c"));
        cluster.token = 1;
        stream = TestStreams.builder(source, scheduler).batchSize(2).cluster(cluster).build();

        scheduler.advance(INTERVAL);
        assertThat(source.callCount()).isEqualTo(2);
        assertThat(cluster.appended).extracting(SharedEvent::key, SharedEvent::seq, SharedEvent::kind)
                .containsExactly(tuple("a", 1L, SNAPSHOT), tuple("b", 2L, SNAPSHOT), tuple("c", 3L, SNAPSHOT));

        source.put("b", "v1");
        scheduler.advance(INTERVAL);
        scheduler.advance(INTERVAL);

        assertThat(cluster.appended).hasSize(4);
        assertThat(cluster.appended.get(3)).isEqualTo(new SharedEvent<>("b", 4, CHANGE, true, "b|CHANGE|v1",
                "b|SNAPSHOT|v1"));
        assertThat(cluster.completedRounds).isEqualTo(3);
        assertThat(stream.stats().clusterPoller()).isTrue();
    }

    @Test
    void aNewLeaderComparesWithTheLogAndAppendsOnlyWhatChangedWhileNobodyLed() {
        cluster.record(event("a", 1, SNAPSHOT, "v0"));
        cluster.record(event("b", 2, SNAPSHOT, "v0"));
        cluster.otherInstancesKeys.addAll(List.of("a", "b"));
        source.put("a", "v0").put("b", "v1");
        cluster.token = 7;
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();

        scheduler.advance(INTERVAL);

        assertThat(cluster.appended).extracting(SharedEvent::key, SharedEvent::seq, SharedEvent::data)
                .containsExactly(tuple("b", 3L, "b|CHANGE|v1"));
    }

    @Test
    void theLeaderPollsHintedKeysAtOnceButLoadsNoKeyThatNobodyWatches() {
        source.put("a", "v0").put("unwatched", "v0");
        cluster.otherInstancesKeys.add("a");
        cluster.token = 1;
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        scheduler.advance(INTERVAL);
        source.put("a", "v1");

        cluster.member.hinted(List.of("a", "unwatched"));
        scheduler.runDue();

        assertThat(cluster.appended).extracting(SharedEvent::key, SharedEvent::data)
                .containsExactly(tuple("a", "a|SNAPSHOT|v0"), tuple("a", "a|CHANGE|v1"));
    }

    @Test
    void aLeaderWhoseAppendIsFencedStepsDownAndPublishesNothing() {
        source.put("a", "v0");
        cluster.otherInstancesKeys.add("a");
        cluster.token = 3;
        cluster.refuseAppends = true;
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();

        scheduler.advance(INTERVAL);

        assertThat(cluster.appended).isEmpty();
        assertThat(cluster.completedRounds).isZero();
        assertThat(stream.stats().clusterPoller()).isFalse();
    }

    @Test
    void joiningTheLogTellsSubscribersOnlyTheKeysWhoseSharedStateDiffers() {
        source.put("a", "v0").put("b", "v0");
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        RecordingSink sink = subscribe(null, "a", "b");
        assertThat(sink.data()).containsExactly("a|SNAPSHOT|v0", "b|SNAPSHOT|v0");
        cluster.record(event("a", 5, SNAPSHOT, "v0"));
        cluster.record(event("b", 6, SNAPSHOT, "v0"));
        cluster.record(event("b", 9, CHANGE, "v1"));

        cluster.member.joining();
        scheduler.runDue();
        cluster.member.joined(EPOCH, cluster.seq);
        scheduler.runDue();

        assertThat(stream.stats().mode()).isEqualTo(StreamStats.Mode.CLUSTER);
        assertThat(sink.events()).extracting(SseParser.Event::lastEventId, SseParser.Event::data).last()
                .isEqualTo(tuple(EPOCH + "-9", "b|CHANGE|v1"));
        assertThat(sink.data()).hasSize(3);

        cluster.member.received(EPOCH, List.of(event("a", 10, CHANGE, "v2")));
        scheduler.runDue();
        source.forgetCalls();
        scheduler.advance(INTERVAL);

        assertThat(sink.data()).endsWith("a|CHANGE|v2");
        assertThat(source.callCount()).as("a follower does not poll").isZero();
    }

    @Test
    void correctionsAtAJoinReachEachSubscriberInIdOrder() {
        source.put("a", "v0").put("b", "v0");
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        RecordingSink sink = subscribe(null, "a", "b");
        cluster.record(event("b", 10, CHANGE, "v1"));
        cluster.record(event("a", 1000, CHANGE, "v1"));

        cluster.member.joining();
        scheduler.runDue();
        assertThat(cluster.member.pollsAlone()).isFalse();
        cluster.member.joined(EPOCH, cluster.seq);
        scheduler.runDue();

        // A client cut between the two must not resume "after" the one it never got.
        assertThat(sink.events()).extracting(SseParser.Event::lastEventId).endsWith(EPOCH + "-10", EPOCH + "-1000");
        assertThat(cluster.member.pollsAlone()).isTrue();
    }

    @Test
    void idsUpToTheLogPositionAtTheJoinAreReplayedNotRejectedAsFromTheFuture() {
        cluster.record(event("k", 3, SNAPSHOT, "v0"));
        cluster.record(event("k", 7, CHANGE, "v1"));
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        joined();

        RecordingSink sink = subscribe(EPOCH + "-3", "k");

        assertThat(sink.data()).containsExactly("k|CHANGE|v1");
    }

    @Test
    void losingTheLogPollsAloneUnderANewEpochTellingSubscribersOnlyWhatChanged() {
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        joined();
        cluster.record(event("a", 1, SNAPSHOT, "v0"));
        cluster.record(event("b", 2, SNAPSHOT, "v0"));
        RecordingSink sink = subscribe(null, "a", "b");
        assertThat(sink.data()).containsExactly("a|SNAPSHOT|v0", "b|SNAPSHOT|v0");
        source.put("a", "v0").put("b", "v5");

        cluster.member.lost(new IllegalStateException("Redis is unreachable"));
        scheduler.runDue();

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|v0", "b|SNAPSHOT|v0", "b|CHANGE|v5");
        assertThat(sink.lastEventId()).doesNotStartWith(EPOCH);
        assertThat(stream.stats().mode()).isEqualTo(StreamStats.Mode.LOCAL_FALLBACK);
        assertThat(stream.stats().clusterFailure()).contains("Redis is unreachable");
    }

    @Test
    void aClientComingFromAnotherInstanceReplaysFromTheSharedHistoryInIdOrder() {
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        joined();
        List<SharedEvent<String>> log = List.of(event("k1", 1, SNAPSHOT, "v0"), event("k2", 2, SNAPSHOT, "v0"),
                event("k1", 3, CHANGE, "v1"), event("k2", 4, CHANGE, "v1"), event("k1", 5, CHANGE, "v2"));
        log.forEach(cluster::record);
        cluster.member.received(EPOCH, log);
        scheduler.runDue();

        RecordingSink sink = subscribe(EPOCH + "-2", "k1", "k2");

        assertThat(sink.events()).extracting(SseParser.Event::lastEventId, SseParser.Event::data).containsExactly(
                tuple(EPOCH + "-3", "k1|CHANGE|v1"), tuple(EPOCH + "-4", "k2|CHANGE|v1"),
                tuple(EPOCH + "-5", "k1|CHANGE|v2"));
    }

    @Test
    void aReplayFromTheSharedHistoryOfManyKeysIsBoundedByMaxQueuedEvents() {
        stream = TestStreams.builder(source, scheduler).cluster(cluster).maxQueuedEvents(4).build();
        joined();
        List<SharedEvent<String>> log = new java.util.ArrayList<>();
        for (String key : List.of("k1", "k2", "k3")) {
            log.add(event(key, log.size() + 1, SNAPSHOT, "v0"));
        }
        for (int version = 1; version <= 4; version++) {
            for (String key : List.of("k1", "k2", "k3")) {
                log.add(event(key, log.size() + 1, CHANGE, "v" + version));
            }
        }
        log.forEach(cluster::record);
        cluster.member.received(EPOCH, log);
        scheduler.runDue();

        RecordingSink sink = subscribe(EPOCH + "-3", "k1", "k2", "k3");

        assertThat(sink.events()).as("at most the limit of replayed changes, the other keys as snapshots")
                .hasSizeLessThanOrEqualTo(4 + 2);
        assertThat(sink.events()).extracting(SseParser.Event::lastEventId).extracting(FanOutTest::seq).isSorted();
        assertThat(sink.data()).contains("k1|CHANGE|v4", "k2|SNAPSHOT|v4", "k3|SNAPSHOT|v4");
    }

    @Test
    void aNewLeaderStopsSerializingUnchangedKeysOnceItHasPolledThem() {
        cluster.record(event("a", 1, SNAPSHOT, "v0"));
        cluster.record(event("b", 2, SNAPSHOT, "v0"));
        cluster.otherInstancesKeys.addAll(List.of("a", "b"));
        source.put("a", "v0").put("b", "v0");
        cluster.token = 7;
        java.util.concurrent.atomic.AtomicInteger serialized = new java.util.concurrent.atomic.AtomicInteger();
        stream = StatusStream.builder(source).scheduler(scheduler).writerExecutor(Runnable::run).cluster(cluster)
                .serializer(event -> {
                    serialized.incrementAndGet();
                    return TestStreams.KEY_KIND_STATE.serialize(event);
                }).build();
        scheduler.advance(INTERVAL);
        int afterTakeover = serialized.get();

        scheduler.advance(INTERVAL.multipliedBy(10));

        assertThat(afterTakeover).as("the takeover compares each key with the log once").isEqualTo(2);
        assertThat(serialized).as("ten more rounds of unchanged keys serialize nothing").hasValue(afterTakeover);
        assertThat(cluster.appended).isEmpty();
    }

    @Test
    void theLeaderLogsAKeyItCannotEncodeOnceEvenWhenOnlyAnotherInstanceWatchesIt() {
        cluster.otherInstancesKeys.add("x");
        cluster.token = 1;
        source.put("x", "v0");
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(StatusStream.class.getName());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel() == java.util.logging.Level.WARNING
                        && String.valueOf(record.getMessage()).contains("failed for key x")) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            stream = StatusStream.builder(source).scheduler(scheduler).writerExecutor(Runnable::run).cluster(cluster)
                    .serializer(event -> {
                        if (broken.get() && event.key().equals("x")) {
                            throw new IllegalStateException("cannot serialize x");
                        }
                        return TestStreams.KEY_KIND_STATE.serialize(event);
                    }).build();
            scheduler.advance(INTERVAL);
            broken.set(true);
            source.put("x", "v1");

            scheduler.advance(INTERVAL.multipliedBy(5));

            assertThat(warnings).hasSize(1);
        } finally {
            log.removeHandler(capture);
        }
    }

    @Test
    void aKeyTheLogDoesNotKnowIsAskedForAndLoadedFromTheLeadersAppend() {
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        joined();

        RecordingSink sink = subscribe(null, "new");
        assertThat(sink.data()).isEmpty();
        assertThat(cluster.loads).containsExactly(List.of("new"));

        cluster.member.received(EPOCH, List.of(event("new", 1, SNAPSHOT, "v0")));
        scheduler.runDue();
        assertThat(sink.data()).containsExactly("new|SNAPSHOT|v0");
    }

    @Test
    void eventsOfAnotherEpochAreIgnored() {
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        joined();
        cluster.record(event("a", 1, SNAPSHOT, "v0"));
        RecordingSink sink = subscribe(null, "a");

        cluster.member.received("otherepoch", List.of(event("a", 2, CHANGE, "stale")));
        scheduler.runDue();

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|v0");
    }

    @Test
    void touchInClusterModeReachesTheLeaderEvenForKeysThisInstanceDoesNotWatch() {
        stream = TestStreams.builder(source, scheduler).cluster(cluster).build();
        joined();

        stream.touch("watched-elsewhere");
        scheduler.runDue();

        assertThat(cluster.hints).containsExactly(List.of("watched-elsewhere"));
        assertThat(source.callCount()).isZero();
    }

    @Test
    void aBroadcastNotifiersHintsAreActedOnByTheClustersPollerOnly() {
        HandNotifier notifier = new HandNotifier(true);
        stream = TestStreams.builder(source, scheduler).cluster(cluster).changeNotifier(notifier).build();
        joined();

        notifier.listener.keysChanged(List.of("a"));
        scheduler.runDue();
        assertThat(cluster.hints).as("the poller's own listener got the same notification").isEmpty();

        source.put("a", "v0");
        cluster.otherInstancesKeys.add("a");
        cluster.token = 2;
        notifier.listener.keysChanged(List.of("a"));
        scheduler.runDue();
        assertThat(cluster.hints).isEmpty();
        assertThat(cluster.appended).extracting(SharedEvent::key).containsExactly("a");
    }

    @Test
    void anInstanceLocalNotifiersHintsReachTheClustersPoller() {
        HandNotifier notifier = new HandNotifier(false);
        stream = TestStreams.builder(source, scheduler).cluster(cluster).changeNotifier(notifier).build();
        joined();

        notifier.listener.keysChanged(List.of("a"));
        scheduler.runDue();

        assertThat(cluster.hints).containsExactly(List.of("a"));
    }

    /** A notifier the test fires by hand. */
    private static final class HandNotifier implements ChangeNotifier<String> {
        private final boolean broadcast;
        private Listener<String> listener;

        HandNotifier(boolean broadcast) {
            this.broadcast = broadcast;
        }

        @Override
        public void start(Listener<String> listener) {
            this.listener = listener;
        }

        @Override
        public boolean broadcast() {
            return broadcast;
        }

        @Override
        public void close() {
        }
    }

    private void joined() {
        cluster.member.joining();
        cluster.member.joined(EPOCH, cluster.seq);
        scheduler.runDue();
        assertThat(stream.stats().mode()).isEqualTo(StreamStats.Mode.CLUSTER);
    }

    private RecordingSink subscribe(String lastEventId, String... keys) {
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of(keys), lastEventId, sink);
        scheduler.runDue();
        return sink;
    }
}
