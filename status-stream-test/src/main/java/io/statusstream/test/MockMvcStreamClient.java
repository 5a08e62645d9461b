package io.statusstream.test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

/**
 * Opens status streams through {@link MockMvc}, without a server: the request is performed, its asynchronous result
 * (the stream, or a refusal) dispatched as a servlet container would, and the response's content read as it grows.
 * Needs {@code spring-test} (and so a servlet API) on the test class path.
 *
 * <pre>{@code
 * MockMvcStreamClient client = MockMvcStreamClient.of(mockMvc).with(httpBasic("alice", "alice"));
 * try (TestStream stream = client.open("/api/v1/bots/7/status-stream")) {
 *     stream.expectSnapshot("7");
 * }
 * }</pre>
 *
 * <p>What MockMvc cannot show: a client that stops reading, or disconnects mid-write. {@link TestStream#close()}
 * completes the request's async context, which is how the application sees a disconnect. Use
 * {@link StatusStreamClient} (random port) for those. Immutable and thread-safe.
 */
public final class MockMvcStreamClient {

    private final MockMvc mvc;
    private final List<RequestPostProcessor> postProcessors;
    private final Runnable whileWaiting;
    private final Duration timeout;

    private MockMvcStreamClient(MockMvc mvc, List<RequestPostProcessor> postProcessors, Runnable whileWaiting,
                                Duration timeout) {
        this.mvc = mvc;
        this.postProcessors = List.copyOf(postProcessors);
        this.whileWaiting = whileWaiting;
        this.timeout = timeout;
    }

    /**
     * @param mvc the application's MockMvc
     * @return a client performing stream requests through it
     */
    public static MockMvcStreamClient of(MockMvc mvc) {
        return new MockMvcStreamClient(Objects.requireNonNull(mvc, "mvc"), List.of(), () -> {
        }, StatusStreamClient.DEFAULT_TIMEOUT);
    }

    /**
     * @param postProcessor applied to every request (a user, HTTP Basic, a session)
     * @return a client that applies it
     */
    public MockMvcStreamClient with(RequestPostProcessor postProcessor) {
        List<RequestPostProcessor> more = new ArrayList<>(postProcessors);
        more.add(Objects.requireNonNull(postProcessor, "postProcessor"));
        return new MockMvcStreamClient(mvc, more, whileWaiting, timeout);
    }

    /**
     * @param step run on the test's thread between short waits, e.g. a manual engine clock's {@code runDue}
     * @return a client that runs it while it waits
     */
    public MockMvcStreamClient whileWaiting(Runnable step) {
        return new MockMvcStreamClient(mvc, postProcessors, Objects.requireNonNull(step, "step"), timeout);
    }

    /**
     * @param timeout the longest any wait lasts
     * @return a client with that timeout
     */
    public MockMvcStreamClient withTimeout(Duration timeout) {
        return new MockMvcStreamClient(mvc, postProcessors, whileWaiting, timeout);
    }

    /**
     * Performs {@code GET pathAndQuery} and waits for its answer.
     *
     * @param pathAndQuery e.g. {@code /api/v1/bots/status-stream?ids=1,2}
     * @return the stream, or the refusal
     * @throws AssertionError if no answer comes within the timeout
     */
    public TestStream open(String pathAndQuery) {
        return open(pathAndQuery, null);
    }

    /**
     * Performs {@code GET pathAndQuery} with {@code Last-Event-ID}, as a reconnecting browser does.
     *
     * @param pathAndQuery the stream's path and query
     * @param lastEventId  sent as {@code Last-Event-ID}; {@code null} for none
     * @return the stream, or the refusal
     * @throws AssertionError if no answer comes within the timeout
     */
    public TestStream open(String pathAndQuery, String lastEventId) {
        MockHttpServletRequestBuilder request = get(pathAndQuery).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        postProcessors.forEach(request::with);
        try {
            MvcResult first = mvc.perform(request).andReturn();
            MvcResult answered = first;
            if (first.getRequest().isAsyncStarted()) {
                awaitAsyncResult(first, pathAndQuery);
                answered = mvc.perform(asyncDispatch(first)).andReturn();
            }
            return stream(answered, pathAndQuery);
        } catch (AssertionError failed) {
            throw failed;
        } catch (Exception failed) {
            throw new AssertionError("request " + pathAndQuery + " failed", failed);
        }
    }

    private void awaitAsyncResult(MvcResult result, String pathAndQuery) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            whileWaiting.run();
            try {
                result.getAsyncResult(10);
                return;
            } catch (IllegalStateException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no answer to " + pathAndQuery + " within " + timeout);
                }
            }
        }
    }

    private TestStream stream(MvcResult result, String pathAndQuery) {
        MockHttpServletRequest request = result.getRequest();
        MockHttpServletResponse response = result.getResponse();
        ContentReader content = new ContentReader(request, response);
        EventRecorder recorder = new EventRecorder(() -> {
            whileWaiting.run();
            content.pull();
        }, timeout);
        content.recorder = recorder;
        content.pull();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : response.getHeaderNames()) {
            headers.put(name, response.getHeaders(name));
        }
        if (response.getContentType() != null) {
            headers.putIfAbsent("Content-Type", List.of(response.getContentType()));
        }
        return new TestStream(response.getStatus(), headers, recorder, () -> {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().complete();
            }
        }, lastEventId -> open(pathAndQuery, lastEventId));
    }

    /** Feeds the recorder what the response gained since the last pull; confined to the waiting thread. */
    private static final class ContentReader {

        private final MockHttpServletRequest request;
        private final MockHttpServletResponse response;
        private EventRecorder recorder;
        private int fed;

        ContentReader(MockHttpServletRequest request, MockHttpServletResponse response) {
            this.request = request;
            this.response = response;
        }

        synchronized void pull() {
            boolean ended = !request.isAsyncStarted();
            byte[] bytes = response.getContentAsByteArray();
            // Up to the last line break only, so that a character split between two writes is decoded whole.
            int end = bytes.length;
            while (!ended && end > fed && bytes[end - 1] != '\n') {
                end--;
            }
            if (end > fed) {
                recorder.feed(new String(bytes, fed, end - fed, StandardCharsets.UTF_8));
                fed = end;
            }
            if (ended) {
                recorder.end("the request completed");
            }
        }
    }
}
