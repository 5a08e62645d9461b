package io.statusstream.core;

import java.util.concurrent.Executor;

final class PollingStatusStream {
    static <K, S> StatusStream<K, S> start(Settings settings, StateSource<K, S> source, ChangeDetector<S> detector,
                                           ChangeNotifier<K> notifier, EventSerializer<K, S> serializer,
                                           StreamMetrics metrics, Executor writers, StreamScheduler scheduler) {
        throw new UnsupportedOperationException("engine lands in the next commit");
    }
}
