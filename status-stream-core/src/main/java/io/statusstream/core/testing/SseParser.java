package io.statusstream.core.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code text/event-stream} as the WHATWG HTML standard's "Interpreting an event stream" does, so a test
 * checks what a browser's {@code EventSource} would dispatch, whatever transport wrote the stream. Feed it text as
 * it arrives, in pieces of any size. Not thread-safe.
 */
public final class SseParser {

    /**
     * A dispatched event.
     *
     * @param lastEventId the last event id in force when it was dispatched ({@code ""} if none)
     * @param type        the event type, {@code "message"} unless an {@code event} field named it
     * @param data        the data, its lines joined with LF
     */
    public record Event(String lastEventId, String type, String data) {
    }

    private final List<Event> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private final StringBuilder pending = new StringBuilder();
    private StringBuilder data = new StringBuilder();
    private String type = "";
    private String lastEventId = "";
    private long retry = -1;

    /**
     * Feeds more of the stream; complete lines are interpreted.
     *
     * @param text the next piece of the stream, never {@code null}; may end mid-line
     * @return this parser
     */
    public SseParser feed(String text) {
        pending.append(text);
        int start = 0;
        for (int i = 0; i < pending.length(); i++) {
            char c = pending.charAt(i);
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 >= pending.length()) {
                    break;
                }
                line(pending.substring(start, i));
                if (c == '\r' && pending.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        pending.delete(0, start);
        return this;
    }

    private void line(String line) {
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.startsWith(":")) {
            comments.add(line.substring(1).startsWith(" ") ? line.substring(2) : line.substring(1));
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> data.append(value).append('\n');
            case "event" -> type = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
                    retry = Long.parseLong(value);
                }
            }
            default -> {
            }
        }
    }

    private void dispatch() {
        if (data.length() == 0) {
            type = "";
            return;
        }
        data.setLength(data.length() - 1);
        events.add(new Event(lastEventId, type.isEmpty() ? "message" : type, data.toString()));
        data = new StringBuilder();
        type = "";
    }

    /**
     * Every event dispatched so far, in order.
     *
     * @return an unmodifiable copy
     */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /**
     * Every comment line so far, without the colon and one following space.
     *
     * @return an unmodifiable copy, in order
     */
    public List<String> comments() {
        return List.copyOf(comments);
    }

    /**
     * The last reconnection time the stream set, in milliseconds, or -1.
     *
     * @return the time in milliseconds, or {@code -1} if no valid {@code retry} field arrived
     */
    public long retry() {
        return retry;
    }

    /**
     * The last event id in force.
     *
     * @return the id, {@code ""} if none; never {@code null}
     */
    public String lastEventId() {
        return lastEventId;
    }
}
