package io.statusstream.spring;

import io.statusstream.test.StreamEvent;
import io.statusstream.test.TestStream;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one client shows, as a page would, over rows of {@link ReliabilityApplication}: the version of each key's
 * latest state received (the test kit's {@link TestStream#latest()}), and whether the server ended the stream.
 * Confined to the test thread.
 */
final class ClientView {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

    private final TestStream connection;

    ClientView(TestStream connection) {
        this.connection = connection;
    }

    TestStream connection() {
        return connection;
    }

    /** The version of the key's latest state shown, {@code -1} for a removed (or null) state, null if none yet. */
    Long version(long key) {
        StreamEvent latest = connection.latest().get(Long.toString(key));
        if (latest == null) {
            return null;
        }
        Matcher version = VERSION.matcher(latest.state());
        return version.find() ? Long.parseLong(version.group(1)) : -1L;
    }

    /** Whether the latest state shown of every key is the given version. */
    boolean shows(Map<Long, Long> expected) {
        for (Map.Entry<Long, Long> entry : expected.entrySet()) {
            if (!entry.getValue().equals(version(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    int count(String kind) {
        return (int) connection.events().stream().filter(event -> kind.equals(event.kind())).count();
    }

    int events() {
        return (int) connection.events().stream().filter(event -> event.key() != null).count();
    }

    String lastEventId() {
        return connection.lastEventId();
    }

    boolean ended() {
        return connection.ended();
    }

    @Override
    public String toString() {
        return "ClientView" + connection.latest().keySet() + (ended() ? " (ended)" : "");
    }
}
