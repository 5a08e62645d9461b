package io.statusstream.core;

import io.statusstream.core.testing.SseParser;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A sink that parses what it is sent as a browser would, and remembers how it was closed. Thread-safe. */
final class RecordingSink implements EventSink {

    private final SseParser parser = new SseParser();
    private final StringBuilder raw = new StringBuilder();
    private final AtomicReference<CloseReason> closedWith = new AtomicReference<>();
    private volatile IOException failure;
    private int writes;

    @Override
    public synchronized void write(Frames written) throws IOException {
        String frames = written.toString();
        if (failure != null) {
            throw failure;
        }
        writes++;
        raw.append(frames);
        parser.feed(frames);
    }

    @Override
    public void close(CloseReason reason) {
        if (!closedWith.compareAndSet(null, reason)) {
            throw new AssertionError("closed twice: " + closedWith.get() + " then " + reason);
        }
    }

    /** From now on writes fail as if the client had gone. */
    void disconnect() {
        failure = new IOException("Broken pipe (test client disconnected)");
    }

    /** The events received, heartbeats left out. */
    synchronized List<SseParser.Event> events() {
        return parser.events().stream().filter(event -> !event.type().equals("ping")).toList();
    }

    /** Heartbeat events received. */
    synchronized long heartbeats() {
        return parser.events().stream().filter(event -> event.type().equals("ping")).count();
    }

    /** The data of every event received, in order. */
    synchronized List<String> data() {
        return events().stream().map(SseParser.Event::data).toList();
    }

    synchronized List<String> comments() {
        return parser.comments();
    }

    synchronized String lastEventId() {
        return parser.lastEventId();
    }

    synchronized long retry() {
        return parser.retry();
    }

    synchronized String raw() {
        return raw.toString();
    }

    synchronized int writes() {
        return writes;
    }

    CloseReason closedWith() {
        return closedWith.get();
    }
}
