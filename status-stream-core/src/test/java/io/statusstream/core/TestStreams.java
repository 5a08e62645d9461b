package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;

/** Builders for engines under test: a manual clock, writes on the caller's thread, a readable serializer. */
final class TestStreams {

    /** Data {@code key|KIND|state}, so a test sees which key and kind every event was. */
    static final EventSerializer<String, String> KEY_KIND_STATE =
            event -> event.key() + "|" + event.kind() + "|" + event.state();

    private TestStreams() {
    }

    static StatusStreamBuilder<String, String> builder(InMemoryStateSource<String, String> source,
                                                       ManualStreamScheduler scheduler) {
        return StatusStream.builder(source)
                .name("test")
                .scheduler(scheduler)
                .writerExecutor(Runnable::run)
                .serializer(KEY_KIND_STATE);
    }
}
