package io.statusstream.example;

import io.statusstream.core.testing.SseParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a plain socket, byte for byte as the test writes it (no client-side encoding or validation), for
 * requests a well-behaved client would refuse to send. One request per connection; a stream is read (and parsed by core's
 * WHATWG {@link SseParser}) up to its first dispatched event and then cut. Every read is bounded by a socket timeout. Stateless; thread-safe.
 */
final class RawHttp {

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final int MAX_RESPONSE_BYTES = 1 << 20;

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    /**
     * A response: status, headers (names lower-case), the body (a stream's start up to its first event), and the
     * stream's events as a browser would dispatch them (none for other responses).
     */
    record Response(int status, Map<String, String> headers, String body, List<SseParser.Event> events) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static String basic(String user) {
        return "Authorization: Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Logs in through the login form, as a browser does, and returns the header line with the session cookie:
     * cheaper per request than HTTP Basic, whose password check is deliberately slow.
     */
    String login(String user) throws IOException {
        Response form = get("/login");
        String xsrf = cookie(form, "XSRF-TOKEN");
        String body = "username=" + user + "&password=" + user;
        Response loggedIn = send("POST", "/login", body, "Cookie: XSRF-TOKEN=" + xsrf, "X-XSRF-TOKEN: " + xsrf,
                "Content-Type: application/x-www-form-urlencoded",
                "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length);
        if (loggedIn.status() != 302) {
            throw new IOException("login of " + user + " failed: " + loggedIn);
        }
        return "Cookie: JSESSIONID=" + cookie(loggedIn, "JSESSIONID");
    }

    private static String cookie(Response response, String name) throws IOException {
        Matcher value = Pattern.compile(name + "=([^;,]+)").matcher(String.valueOf(response.header("Set-Cookie")));
        if (!value.find()) {
            throw new IOException("no cookie " + name + " in " + response);
        }
        return value.group(1);
    }

    /**
     * {@code GET target} with the given extra header lines (each without CRLF); {@code Accept: text/event-stream}
     * unless one of them is an {@code Accept}.
     */
    Response get(String target, String... headerLines) throws IOException {
        return send("GET", target, null, headerLines);
    }

    /** {@code POST target} without a body, with the given extra header lines (each without CRLF), as {@link #get}. */
    Response post(String target, String... headerLines) throws IOException {
        String[] lines = java.util.Arrays.copyOf(headerLines, headerLines.length + 1);
        lines[headerLines.length] = "Content-Length: 0";
        return send("POST", target, null, lines);
    }

    private Response send(String method, String target, String body, String... headerLines) throws IOException {
        StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: localhost:").append(port).append("\r\n")
                .append("Connection: close\r\n");
        if (java.util.Arrays.stream(headerLines).noneMatch(line -> line.regionMatches(true, 0, "Accept:", 0, 7))) {
            request.append("Accept: text/event-stream\r\n");
        }
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        request.append("\r\n");
        if (body != null) {
            request.append(body);
        }
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip(),
                    (first, second) -> first + ", " + second);
        }
        StringBuilder body = new StringBuilder();
        boolean stream = String.valueOf(headers.get("content-type")).startsWith("text/event-stream");
        SseParser events = new SseParser();
        for (String line = line(in); line != null && body.length() < MAX_RESPONSE_BYTES; line = line(in)) {
            body.append(line).append('\n');
            if (stream && !events.feed(line + "\n").events().isEmpty()) {
                break;
            }
        }
        return new Response(status, headers, body.toString(), events.events());
    }

    /** One line without its line break, or null at the end. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
            if (line.size() > MAX_RESPONSE_BYTES) {
                throw new IOException("line too long");
            }
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }
}
