package io.statusstream.core;

import java.nio.charset.StandardCharsets;

/**
 * Encodes {@code text/event-stream} frames as the WHATWG HTML standard parses them (section "Server-sent events").
 *
 * <p>Data is split into one field line per line of text, at CR LF, LF or CR: the parser joins
 * {@code data} lines with LF, so text with LF line breaks arrives byte for byte; CR cannot be carried. Every field
 * is written as {@code name: value}: the parser drops exactly one space after the colon, so a value that starts
 * with a space keeps it. Stateless; thread-safe.
 */
final class SseFrames {

    private SseFrames() {
    }

    /**
     * An event named {@code ping} whose data is the heartbeat interval in milliseconds, without id: invisible to
     * {@code onmessage} handlers, leaves the client's last event id alone, yet lets a browser-side watchdog see that
     * the stream is alive, which a comment would not ({@code EventSource} drops comments), and how long it may
     * stay silent.
     */
    static String heartbeat(long intervalMillis) {
        return "event: ping\ndata: " + intervalMillis + "\n\n";
    }

    /** A default-type event without id: the client's last event id stays as it was. */
    static String unidentified(String data) {
        StringBuilder frame = new StringBuilder(data.length() + 16);
        appendLines(frame, "data: ", data);
        return frame.append('\n').toString();
    }

    /** The last event of a stream ended for good: {@code event: end}, the reason as JSON data, no id. */
    static String end(EndReason reason) {
        return "event: end\ndata: {\"reason\":\"" + reason.token() + "\"}\n\n";
    }

    /**
     * The last frames of a stream ended for good that the client should come back to after {@code retryMillis}: the
     * retry hint first (the parser applies it as it reads the line), then the {@link #end(EndReason) end} event.
     */
    static String end(EndReason reason, long retryMillis) {
        return retry(retryMillis) + end(reason);
    }

    /** One event: an {@code id} line, one {@code data} line per line of {@code data}, a blank line. */
    static String event(String id, String data) {
        StringBuilder frame = new StringBuilder(data.length() + id.length() + 16);
        frame.append("id: ").append(requireSingleLine(id, "id")).append('\n');
        appendLines(frame, "data: ", data);
        return frame.append('\n').toString();
    }

    /** Frames as the bytes a sink writes: encoded once, shared by every subscriber they go to. */
    static byte[] utf8(String frames) {
        return frames.getBytes(StandardCharsets.UTF_8);
    }

    /** The reconnection delay hint, in milliseconds. */
    static String retry(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("retry must not be negative, was " + millis);
        }
        return "retry: " + millis + "\n\n";
    }

    private static void appendLines(StringBuilder frame, String prefix, String text) {
        int start = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                frame.append(prefix).append(text, start, i).append('\n');
                if (c == '\r' && i + 1 < length && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        frame.append(prefix).append(text, start, length).append('\n');
    }

    private static String requireSingleLine(String value, String field) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " must not contain CR, LF or NUL");
        }
        return value;
    }
}
