package io.statusstream.redis;

import io.statusstream.core.testing.SseParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A browser-like client of one stream: reads {@code text/event-stream} over a real HTTP connection, decodes it as a
 * UTF-8 stream (a character split between two reads stays whole) and interprets it with core's WHATWG
 * {@link SseParser}, as {@code EventSource} would, on a daemon thread of its own. Reads the rows' data as JSON
 * ({@code {"key":"7","kind":"change","state":{"version":3}}}). Thread-safe.
 */
final class StreamClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One state event as received: its id, key, kind and the row version it carries (-1 when removed). */
    record Received(String id, long key, String kind, long version) {
    }

    private final SseParser parser = new SseParser();
    private final List<Received> received = new ArrayList<>();
    private volatile int status;
    private volatile boolean ended;
    private volatile InputStream body;

    private StreamClient() {
    }

    /** Opens {@code GET uri}, sending {@code Last-Event-ID} when not {@code null}. */
    static StreamClient open(URI uri, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        StreamClient client = new StreamClient();
        HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream()).whenComplete((response, failure) -> {
            if (failure != null) {
                client.ended = true;
                return;
            }
            client.status = response.statusCode();
            client.body = response.body();
            Thread reader = new Thread(client::read, "stream-client");
            reader.setDaemon(true);
            reader.start();
        });
        return client;
    }

    private void read() {
        char[] buffer = new char[8192];
        try (Reader in = new InputStreamReader(body, StandardCharsets.UTF_8)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                accept(new String(buffer, 0, n));
            }
        } catch (IOException closed) {
            // the server or close() ended the stream
        } finally {
            ended = true;
        }
    }

    private synchronized void accept(String text) {
        int before = parser.events().size();
        List<SseParser.Event> events = parser.feed(text).events();
        for (SseParser.Event event : events.subList(before, events.size())) {
            if (!"message".equals(event.type())) {
                continue;
            }
            JsonNode data = JSON.readTree(event.data());
            if (!data.has("key")) {
                continue;
            }
            received.add(new Received(event.lastEventId(), Long.parseLong(data.path("key").asString()),
                    data.path("kind").asString(), data.path("state").path("version").asLong(-1)));
        }
    }

    int status() {
        return status;
    }

    boolean ended() {
        return ended;
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The version each key shows now, as a page would. */
    synchronized Map<Long, Long> versions() {
        Map<Long, Long> versions = new HashMap<>();
        for (Received event : received) {
            versions.put(event.key(), event.version());
        }
        return versions;
    }

    synchronized long version(long key) {
        return versions().getOrDefault(key, 0L);
    }

    synchronized String lastEventId() {
        return received.isEmpty() ? null : received.get(received.size() - 1).id();
    }

    /** State events after the first {@code count}. */
    synchronized List<Received> receivedAfter(int count) {
        return List.copyOf(received.subList(Math.min(count, received.size()), received.size()));
    }

    @Override
    public void close() {
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "StreamClient[status " + status + ", " + received.size() + " events, last " + lastEventId() + "]";
    }
}
