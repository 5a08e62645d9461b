package io.statusstream.core;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.core.testing.SseParser;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ConcurrentChurnTest {

    private static final int CLIENT_THREADS = 4;
    private static final int CYCLES_PER_THREAD = 2_500;

    @Test
    void subscribingAndLeavingFromManyThreadsWhilePollingLeavesNothingBehindAndKeepsEveryStreamOrdered()
            throws Exception {
        ManualStreamScheduler scheduler = new ManualStreamScheduler();
        InMemoryStateSource<String, String> source = new InMemoryStateSource<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keys.add("k" + i);
            source.put("k" + i, "0");
        }
        ExecutorService writers = Executors.newFixedThreadPool(4);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
        StatusStream<String, String> stream = StatusStream.builder(source).scheduler(scheduler)
                .writerExecutor(writers).serializer(TestStreams.KEY_KIND_STATE)
                .keyRetention(Duration.ofSeconds(10)).build();
        Queue<RecordingSink> sinks = new ConcurrentLinkedQueue<>();

        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
            work.add(clients.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int cycle = 0; cycle < CYCLES_PER_THREAD; cycle++) {
                    RecordingSink sink = new RecordingSink();
                    List<String> mine = List.of(keys.get(random.nextInt(20)), keys.get(random.nextInt(20)));
                    Subscription<String> subscription = stream.subscribe(mine, null, sink);
                    if (cycle % 100 == 0) {
                        sinks.add(sink);
                    }
                    if (random.nextInt(4) == 0) {
                        sink.disconnect();
                    }
                    stream.touch(mine);
                    subscription.close();
                }
            }));
        }
        int round = 0;
        while (!work.stream().allMatch(Future::isDone)) {
            source.put(keys.get(round % 20), String.valueOf(round++));
            scheduler.advance(Duration.ofMillis(500));
        }
        for (Future<?> future : work) {
            future.get();
        }
        scheduler.advance(Duration.ofSeconds(30));
        clients.shutdown();
        writers.shutdown();
        assertThat(writers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(stream.stats().subscribers()).isZero();
        assertThat(stream.stats().watchedKeys()).isZero();
        assertThat(sinks).allSatisfy(sink -> assertThat(sink.events())
                .extracting(SseParser.Event::lastEventId).extracting(FanOutTest::seq).isSorted());
        stream.close();
    }
}
