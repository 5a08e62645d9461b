package io.statusstream.spring;

import io.statusstream.spring.SseClient.Connection;
import io.statusstream.spring.SseClient.Event;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one client shows, as a page would: the latest state of each key it received (over rows of
 * {@link ReliabilityApplication}), the last event id, and whether the server ended the stream. Fed by
 * {@link #drain()}, which takes the events received so far without waiting. Confined to the test thread.
 */
final class ClientView {

    private static final Pattern KEY = Pattern.compile("\"key\":\"([^\"]*)\"");
    private static final Pattern KIND = Pattern.compile("\"kind\":\"([a-z]+)\"");
    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

    private final Connection connection;
    private final Map<Long, Long> versions = new HashMap<>();
    private final Map<String, Integer> kinds = new HashMap<>();
    private String lastEventId;
    private boolean ended;
    private int events;

    ClientView(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /** Takes every event received so far; returns this. */
    ClientView drain() {
        try {
            for (Event event = connection.poll(Duration.ZERO); event != null; event = connection.poll(Duration.ZERO)) {
                accept(event);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError(interrupted);
        }
        return this;
    }

    private void accept(Event event) {
        if (event == Connection.END) {
            ended = true;
            return;
        }
        if (event.data() == null || "ping".equals(event.type())) {
            return;
        }
        events++;
        lastEventId = event.id();
        Matcher key = KEY.matcher(event.data());
        Matcher kind = KIND.matcher(event.data());
        if (!key.find() || !kind.find()) {
            throw new AssertionError("not an envelope: " + event.data());
        }
        kinds.merge(kind.group(1), 1, Integer::sum);
        Matcher version = VERSION.matcher(event.data());
        versions.put(Long.valueOf(key.group(1)), version.find() ? Long.parseLong(version.group(1)) : -1L);
    }

    /** The version of the key's latest state shown, {@code -1} for a removed (or null) state, null if none yet. */
    Long version(long key) {
        return versions.get(key);
    }

    /** Whether the latest state shown of every key is the given version. */
    boolean shows(Map<Long, Long> expected) {
        for (Map.Entry<Long, Long> entry : expected.entrySet()) {
            if (!entry.getValue().equals(versions.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    int count(String kind) {
        return kinds.getOrDefault(kind, 0);
    }

    int events() {
        return events;
    }

    String lastEventId() {
        return lastEventId;
    }

    boolean ended() {
        return ended;
    }

    @Override
    public String toString() {
        return "ClientView" + versions + (ended ? " (ended)" : "");
    }
}
