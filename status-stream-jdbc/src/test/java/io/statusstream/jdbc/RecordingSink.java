package io.statusstream.jdbc;

import io.statusstream.core.Frames;
import io.statusstream.core.CloseReason;
import io.statusstream.core.EventSink;
import io.statusstream.core.testing.SseParser;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A sink that keeps the data of every event it receives (pings left out) and the time each arrived, parsed by core's
 * WHATWG {@link SseParser} as a browser would. Thread-safe;
 * {@link #await} waits on a condition, never a fixed sleep.
 */
final class RecordingSink implements EventSink {

    private final SseParser parser = new SseParser();
    private final List<String> data = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();
    private int pings;
    private CloseReason closedWith;

    @Override
    public synchronized void write(Frames written) {
        String frames = written.toString();
        long now = System.nanoTime();
        List<SseParser.Event> events = parser.feed(frames).events();
        for (int i = arrivals.size() + pings; i < events.size(); i++) {
            if (events.get(i).type().equals("ping")) {
                pings++;
            } else {
                data.add(events.get(i).data());
                arrivals.add(now);
            }
        }
        notifyAll();
    }

    @Override
    public synchronized void close(CloseReason reason) {
        closedWith = reason;
        notifyAll();
    }

    synchronized List<String> data() {
        return List.copyOf(data);
    }

    synchronized CloseReason closedWith() {
        return closedWith;
    }

    /** When the first event matching the condition arrived ({@link System#nanoTime()}), or -1. */
    synchronized long arrivalOf(Predicate<String> event) {
        for (int i = 0; i < data.size(); i++) {
            if (event.test(data.get(i))) {
                return arrivals.get(i);
            }
        }
        return -1;
    }

    /**
     * Waits until an event matching the condition has arrived.
     *
     * @return whether it did within the timeout
     */
    synchronized boolean await(Predicate<String> event, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (data.stream().noneMatch(event)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
