package io.statusstream.redis;

import io.statusstream.core.SharedEvent;
import io.statusstream.core.StreamCluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link StreamCluster.Member} that records what its cluster tells it, in order, and behaves as the engine does
 * about polling alone: it stops on {@code joining} and polls alone again on {@code joined} or {@code lost}. A call can
 * be made to throw, once. Thread-safe.
 */
final class RecordingMember implements StreamCluster.Member<Long> {

    /** One call the cluster made: its name and its argument ({@code null} for none). */
    record Call(String name, Object argument) {
    }

    private final String name;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Throwable> failOnce = new ConcurrentHashMap<>();
    private volatile Set<Long> watched = Set.of();
    private volatile boolean pollsAlone = true;
    private volatile Runnable duringCall = () -> { };

    RecordingMember(String name) {
        this.name = name;
    }

    /** The next call of this name (also {@code watchedKeys}) throws {@code failure}. */
    RecordingMember failOnce(String call, Throwable failure) {
        failOnce.put(call, failure);
        return this;
    }

    /** Runs {@code action} inside every recorded call, before recording it. */
    RecordingMember during(Runnable action) {
        this.duringCall = action;
        return this;
    }

    RecordingMember watch(Long... keys) {
        watched = Set.of(keys);
        return this;
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    List<String> names() {
        return calls.stream().map(Call::name).toList();
    }

    long count(String call) {
        return calls.stream().filter(recorded -> recorded.name().equals(call)).count();
    }

    List<Throwable> losses() {
        return calls.stream().filter(call -> call.name().equals("lost")).map(call -> (Throwable) call.argument())
                .toList();
    }

    @SuppressWarnings("unchecked")
    List<SharedEvent<Long>> received() {
        List<SharedEvent<Long>> events = new ArrayList<>();
        calls.stream().filter(call -> call.name().equals("received"))
                .forEach(call -> events.addAll((List<SharedEvent<Long>>) call.argument()));
        return events;
    }

    private void record(String call, Object argument) {
        duringCall.run();
        Throwable failure = failOnce.remove(call);
        calls.add(new Call(call, argument));
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure instanceof RuntimeException exception) {
            throw exception;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Long> watchedKeys() {
        Throwable failure = failOnce.remove("watchedKeys");
        if (failure instanceof Error error) {
            throw error;
        }
        return watched;
    }

    @Override
    public void hinted(Collection<Long> keys) {
        record("hinted", List.copyOf(keys));
    }

    @Override
    public void joining() {
        pollsAlone = false;
        record("joining", null);
    }

    @Override
    public boolean pollsAlone() {
        return pollsAlone;
    }

    @Override
    public void joined(String epoch, long logSeq) {
        pollsAlone = true;
        record("joined", epoch + "@" + logSeq);
    }

    @Override
    public void received(String epoch, List<SharedEvent<Long>> events) {
        record("received", List.copyOf(events));
    }

    @Override
    public void lost(Throwable cause) {
        pollsAlone = true;
        record("lost", cause);
    }

    @Override
    public String toString() {
        return "RecordingMember[" + name + ", " + calls + "]";
    }
}
