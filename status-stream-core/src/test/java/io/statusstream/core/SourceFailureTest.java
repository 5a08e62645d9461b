package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

class SourceFailureTest {

    private static final Duration INTERVAL = StatusStreamBuilder.DEFAULT_POLL_INTERVAL;

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    private final Logger engineLog = Logger.getLogger(StatusStream.class.getName());
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private StatusStream<String, String> stream;

    @BeforeEach
    void captureLog() {
        engineLog.addHandler(capture);
    }

    @AfterEach
    void close() {
        engineLog.removeHandler(capture);
        stream.close();
    }

    @Test
    void whileTheSourceFailsSubscribersStayTheOutageIsLoggedOnceAndTheNextGoodPollDeliversTheChange() {
        source.put("bot", "running");
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        source.failWith(new IllegalStateException("connection refused"));
        source.put("bot", "error");
        scheduler.advance(Duration.ofMinutes(3));

        assertThat(subscription.isOpen()).isTrue();
        assertThat(sink.closedWith()).isNull();
        assertThat(stream.stats().sourceHealthy()).isFalse();
        assertThat(stream.stats().lastFailure()).contains("connection refused");
        assertThat(stream.stats().consecutiveFailures()).isGreaterThan(3);
        assertThat(warnings()).hasSize(1).first().satisfies(record -> {
            assertThat(record.getMessage()).contains("'test'", "streams stay open");
            assertThat(record.getThrown()).hasMessage("connection refused");
        });

        source.recover();
        scheduler.advance(StatusStreamBuilder.DEFAULT_MAX_BACKOFF);

        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running", "bot|CHANGE|error");
        assertThat(stream.stats().sourceHealthy()).isTrue();
        assertThat(logged).filteredOn(record -> record.getLevel() == Level.INFO)
                .anySatisfy(record -> assertThat(record.getMessage()).contains("recovered"));
        assertThat(warnings()).hasSize(1);
    }

    @Test
    void aFailingSourceIsPolledLessAndLessOftenUpToTheMaximumBackoff() {
        source.put("bot", "running");
        stream = TestStreams.builder(source, scheduler).maxBackoff(Duration.ofSeconds(16)).build();
        stream.subscribe(List.of("bot"), null, new RecordingSink());
        scheduler.runDue();
        source.failWith(new IllegalStateException("down"));
        source.forgetCalls();

        List<Long> secondsOfCalls = new CopyOnWriteArrayList<>();
        for (int second = 1; second <= 80; second++) {
            int before = source.callCount();
            scheduler.advance(Duration.ofSeconds(1));
            if (source.callCount() > before) {
                secondsOfCalls.add((long) second);
            }
        }

        assertThat(secondsOfCalls).containsExactly(2L, 4L, 8L, 16L, 32L, 48L, 64L, 80L);
    }

    @Test
    void keysSubscribedDuringAnOutageAreLoadedWhenTheSourceIsBack() {
        source.put("bot", "running");
        source.failWith(new IllegalStateException("down"));
        stream = TestStreams.builder(source, scheduler).build();
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("bot"), null, sink);
        scheduler.advance(INTERVAL.multipliedBy(3));
        assertThat(subscription.ready().toCompletableFuture()).isNotDone();

        source.recover();
        scheduler.advance(StatusStreamBuilder.DEFAULT_MAX_BACKOFF);

        assertThat(subscription.ready().toCompletableFuture()).isCompleted();
        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running");
    }

    @Test
    void aStateTheSerializerCannotEncodeIsHeldBackWithoutBlindingOtherKeys() {
        source.put("good", "1").put("bad", "1");
        stream = StatusStream.builder(source).scheduler(scheduler).writerExecutor(Runnable::run)
                .serializer(event -> {
                    if ("poison".equals(event.state())) {
                        throw new IllegalArgumentException("cannot serialize");
                    }
                    return TestStreams.KEY_KIND_STATE.serialize(event);
                }).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("good", "bad"), null, sink);
        scheduler.runDue();

        source.put("bad", "poison").put("good", "2");
        scheduler.advance(INTERVAL.multipliedBy(5));
        source.put("bad", "3");
        scheduler.advance(INTERVAL);

        assertThat(sink.data()).containsExactly("good|SNAPSHOT|1", "bad|SNAPSHOT|1", "good|CHANGE|2", "bad|CHANGE|3");
        assertThat(warnings()).hasSize(1).first()
                .satisfies(record -> assertThat(record.getMessage()).contains("key bad"));
    }

    @Test
    void aChunkThatFailsDoesNotBlindTheKeysOfOtherChunks() {
        List.of("a", "b", "c", "d").forEach(key -> source.put(key, key + "0"));
        AtomicBoolean failing = new AtomicBoolean();
        StateSource<String, String> failsOnD = keys -> {
            Map<String, String> states = source.fetch(keys);
            if (failing.get() && keys.contains("d")) {
                throw new IllegalStateException("chunk with d fails");
            }
            return states;
        };
        stream = StatusStream.builder(failsOnD).scheduler(scheduler).writerExecutor(Runnable::run)
                .serializer(TestStreams.KEY_KIND_STATE).batchSize(2).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("c", "d", "a", "b"), null, sink);
        scheduler.runDue();
        source.forgetCalls();
        failing.set(true);
        source.put("a", "a1").put("c", "c1");

        scheduler.advance(INTERVAL);

        assertThat(source.calls()).as("every chunk is still asked for")
                .containsExactlyInAnyOrder(List.of("c", "d"), List.of("a", "b"));
        assertThat(sink.data()).endsWith("a|CHANGE|a1").doesNotContain("c|CHANGE|c1");
        assertThat(stream.stats().sourceHealthy()).isFalse();
        assertThat(warnings()).hasSize(1);
    }

    @Test
    void aLoadThatFailsWithAnErrorIsLoggedAndTheKeyIsLoadedByTheNextPoll() {
        source.put("bot", "running");
        AtomicBoolean failing = new AtomicBoolean(true);
        StateSource<String, String> errorOnce = keys -> {
            if (failing.getAndSet(false)) {
                throw new AssertionError("driver bug");
            }
            return source.fetch(keys);
        };
        stream = StatusStream.builder(errorOnce).scheduler(scheduler).writerExecutor(Runnable::run)
                .serializer(TestStreams.KEY_KIND_STATE).build();
        RecordingSink sink = new RecordingSink();
        stream.subscribe(List.of("bot"), null, sink);
        scheduler.runDue();

        assertThat(logged).filteredOn(record -> record.getLevel() == Level.SEVERE)
                .singleElement().satisfies(record -> assertThat(record.getThrown()).hasMessage("driver bug"));

        scheduler.advance(INTERVAL);

        assertThat(sink.data()).containsExactly("bot|SNAPSHOT|running");
    }

    @Test
    void aKeyThatCouldNotBeEncodedIsForgottenOnceNobodyWatchesIt() {
        source.put("bad", "1");
        stream = StatusStream.builder(source).scheduler(scheduler).writerExecutor(Runnable::run)
                .keyRetention(Duration.ZERO)
                .serializer(event -> {
                    if ("poison".equals(event.state())) {
                        throw new IllegalArgumentException("cannot serialize");
                    }
                    return TestStreams.KEY_KIND_STATE.serialize(event);
                }).build();
        Subscription<String> subscription = stream.subscribe(List.of("bad"), null, new RecordingSink());
        scheduler.runDue();
        source.put("bad", "poison");
        scheduler.advance(INTERVAL);
        EventEncoder<?, ?> encoder = ((PollingStatusStream<?, ?>) stream).encoder();
        assertThat(encoder.failingKeys()).isEqualTo(1);

        subscription.close();
        scheduler.advance(INTERVAL);

        assertThat(encoder.failingKeys()).isZero();
    }

    private List<LogRecord> warnings() {
        return logged.stream().filter(record -> record.getLevel() == Level.WARNING).toList();
    }
}
