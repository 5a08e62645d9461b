package io.statusstream.test;

import io.statusstream.core.StatusStream;
import io.statusstream.core.Subscription;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kit against a real engine on a manual clock: what a subscriber gets, read as a browser would. */
class RecordingEventSinkTest {

    private final ManualStreamScheduler clock = new ManualStreamScheduler();
    private final InMemoryStateSource<Long, String> source = new InMemoryStateSource<>();
    private final StatusStream<Long, String> stream = StatusStream.builder(source)
            .name("kit")
            .scheduler(clock)
            .writerExecutor(Runnable::run) // writes on the clock's thread: a jump of the clock cannot outrun them
            .serializer(event -> "{\"key\":\"" + event.key() + "\",\"kind\":\""
                    + event.kind().name().toLowerCase(java.util.Locale.ROOT) + "\",\"state\":"
                    + (event.state() == null ? "null" : "{\"v\":\"" + event.state() + "\"}") + "}")
            .build();

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void readsSnapshotChangeRemovalAndHeartbeatsWithIncreasingIds() {
        source.put(7L, "a").put(8L, "x");
        RecordingEventSink sink = new RecordingEventSink(clock::runDue, Duration.ofSeconds(10));
        try (Subscription<Long> subscription = stream.subscribe(List.of(7L, 8L), null, sink)) {
            TestStream events = sink.stream();
            assertThat(events.expectSnapshot("7").state()).isEqualTo("{\"v\":\"a\"}");
            assertThat(events.expectSnapshot("8").state()).isEqualTo("{\"v\":\"x\"}");

            source.put(7L, "b");
            stream.touch(7L);
            assertThat(events.expectChange("7").state()).isEqualTo("{\"v\":\"b\"}");

            source.remove(8L);
            stream.touch(8L);
            StreamEvent removal = events.expectRemoved("8");
            assertThat(removal.state()).isEqualTo("null");

            clock.advance(Duration.ofSeconds(31)); // a ping goes to a stream idle for a whole heartbeat interval
            StreamEvent ping = events.nextPing();
            assertThat(ping.id()).as("a ping keeps the last id in force").isEqualTo(removal.id());
            assertThat(events.retry()).isPositive();
            events.assertIdsIncreasing();
            assertThat(events.latest()).containsOnlyKeys("7", "8");
        }
    }

    @Test
    void failsWithWhatArrivedWhenTheExpectedKindDoesNotCome() {
        source.put(7L, "a");
        RecordingEventSink sink = new RecordingEventSink(clock::runDue, Duration.ofMillis(200));
        try (Subscription<Long> subscription = stream.subscribe(List.of(7L), null, sink)) {
            assertThatThrownBy(() -> sink.stream().expectChange("7"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("expected a change of key 7").hasMessageContaining("snapshot");
        }
    }

    @Test
    void resumesFromTheLastEventIdWithOnlyTheMissedChanges() {
        source.put(7L, "a");
        RecordingEventSink first = new RecordingEventSink(clock::runDue, Duration.ofSeconds(10));
        String lastSeen;
        try (Subscription<Long> subscription = stream.subscribe(List.of(7L), null, first)) {
            lastSeen = first.stream().expectSnapshot("7").id();
        }
        source.put(7L, "b");
        stream.touch(7L);
        clock.runDue();

        RecordingEventSink resumed = new RecordingEventSink(clock::runDue, Duration.ofSeconds(10));
        try (Subscription<Long> subscription = stream.subscribe(List.of(7L), lastSeen, resumed)) {
            StreamEvent replayed = resumed.stream().next();
            assertThat(replayed.isChangeOf("7")).as("replayed %s", replayed).isTrue();
            assertThat(replayed.sequence()).isGreaterThan(Long.parseLong(lastSeen.substring(lastSeen.indexOf('-') + 1)));
        }
    }
}
