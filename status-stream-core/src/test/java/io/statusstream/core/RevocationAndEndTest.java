package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.core.testing.SseParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Access taken back while a stream is open ({@link Subscription#revoke}) and streams ended for good with a reason
 * ({@link Subscription#end}): what the client is sent, what it is never sent again, and what is released.
 */
class RevocationAndEndTest {

    private final ManualStreamScheduler scheduler = new ManualStreamScheduler();
    private final InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
    /** Writes wait here until the test runs them, so that events can be queued and not yet written. */
    private final Queue<Runnable> writes = new ArrayDeque<>();
    private final StatusStream<String, String> stream = StatusStream.builder(source).name("test").scheduler(scheduler)
            .writerExecutor(writes::add).serializer(TestStreams.KEY_KIND_STATE).keyRetention(Duration.ZERO).build();

    @AfterEach
    void close() {
        stream.close();
    }

    @Test
    void aRevokedKeyGetsOneRevokedEventWithoutIdAndNothingMore() {
        source.put("a", "1");
        source.put("b", "1");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a", "b"), null, sink);
        settle();
        String idBefore = sink.lastEventId();

        assertThat(subscription.revoke(List.of("b", "unknown"))).containsExactly("b");
        settle();
        source.put("a", "2");
        source.put("b", "2");
        stream.touch(List.of("a", "b"));
        settle();

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|1", "b|SNAPSHOT|1", "b|REVOKED|null", "a|CHANGE|2");
        SseParser.Event revoked = sink.events().get(2);
        assertThat(revoked.lastEventId()).as("the revoked event leaves the last event id as it was").isEqualTo(idBefore);
        assertThat(subscription.keys()).containsExactly("a");
        assertThat(subscription.isOpen()).isTrue();
        assertThat(stream.stats().watchedKeys()).as("b has no subscriber left").isEqualTo(1);
    }

    @Test
    void aChangeOfARevokedKeyThatWasQueuedButNotWrittenIsNeverWritten() {
        source.put("a", "1");
        source.put("b", "1");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a", "b"), null, sink);
        settle();

        source.put("b", "secret");
        stream.touch("b");
        scheduler.runDue(); // published and queued; the write waits
        subscription.revoke(List.of("b"));
        settle();

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|1", "b|SNAPSHOT|1", "b|REVOKED|null");
        assertThat(sink.raw()).doesNotContain("secret");
    }

    @Test
    void revokingTheLastKeyEndsTheStreamWithReasonRevoked() {
        source.put("a", "1");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);
        settle();

        subscription.revoke(List.of("a"));
        settle();

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|1", "a|REVOKED|null", "{\"reason\":\"revoked\"}");
        assertThat(sink.events().get(2).type()).isEqualTo("end");
        assertThat(sink.closedWith()).isEqualTo(CloseReason.ENDED);
        assertThat(subscription.isOpen()).isFalse();
        assertThat(stream.stats().subscribers()).isZero();
        assertThat(stream.stats().watchedKeys()).isZero();
    }

    @Test
    void anEndedStreamGetsWhatWasQueuedThenTheEndEventThenNothing() {
        source.put("a", "1");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);
        settle();

        source.put("a", "2");
        stream.touch("a");
        scheduler.runDue(); // queued, not written
        subscription.end(EndReason.LOGGED_OUT);
        subscription.end(EndReason.EXPIRED);
        source.put("a", "3");
        stream.touch("a");
        settle();

        assertThat(sink.data()).containsExactly("a|SNAPSHOT|1", "a|CHANGE|2", "{\"reason\":\"logged-out\"}");
        assertThat(sink.raw()).endsWith("event: end\ndata: {\"reason\":\"logged-out\"}\n\n");
        assertThat(sink.closedWith()).isEqualTo(CloseReason.ENDED);
        assertThat(stream.stats().subscribers()).isZero();
    }

    @Test
    void aStreamEndedBeforeItStartedIsClosedAtOnceWithoutAnEvent() {
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);

        subscription.end(EndReason.EXPIRED);
        settle();

        assertThat(sink.raw()).isEmpty();
        assertThat(sink.closedWith()).isEqualTo(CloseReason.ENDED);
        assertThatThrownBy(() -> subscription.ready().toCompletableFuture().join())
                .hasCauseInstanceOf(CancellationException.class);
        assertThat(stream.stats().subscribers()).isZero();
    }

    @Test
    void revokingTheOnlyKeyNotYetLoadedStartsTheStreamWithTheOthersAndTellsTheClientToForgetIt() {
        source.put("a", "1");
        RecordingSink early = new RecordingSink();
        stream.subscribe(List.of("a"), null, early);
        settle(); // a is loaded and watched
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a", "b"), null, sink);

        subscription.revoke(List.of("b")); // before b's first load
        settle();

        assertThat(subscription.ready().toCompletableFuture().join()).isEmpty();
        assertThat(sink.data()).containsExactly("a|SNAPSHOT|1", "b|REVOKED|null");
        assertThat(subscription.keys()).containsExactly("a");
    }

    @Test
    void revokingKeysNotSubscribedDoesNothing() {
        source.put("a", "1");
        RecordingSink sink = new RecordingSink();
        Subscription<String> subscription = stream.subscribe(List.of("a"), null, sink);
        settle();
        String written = sink.raw();

        assertThat(subscription.revoke(List.of("z"))).isEmpty();
        settle();

        assertThat(sink.raw()).isEqualTo(written);
        assertThat(subscription.isOpen()).isTrue();
    }

    /** Runs the engine's due tasks and the queued writes until neither has anything left. */
    private void settle() {
        boolean wrote;
        do {
            scheduler.runDue();
            wrote = !writes.isEmpty();
            for (Runnable write; (write = writes.poll()) != null; ) {
                write.run();
            }
        } while (wrote);
    }
}
