package io.statusstream.example;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.statusstream.example.PageStream.statusIs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An {@code end} with reason {@code shutdown} is not final: the client shows {@code reconnecting} and leaves the
 * reconnect to the browser, which waits the {@code retry:} the server sent (a reconnect of the client's own would go
 * at its own pace, with the id as a query parameter). The server is scripted here, word for word as the wire format
 * says a server going down writes: a {@code retry:}, an older server's empty {@code ping}, an event, the end, the close.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "tradebot.simulator.enabled=false")
@Import(StreamClientShutdownBrowserTest.ScriptedServer.class)
class StreamClientShutdownBrowserTest {

    @LocalServerPort
    int port;
    @Autowired
    ScriptedStream server;
    @TempDir
    Path profile;

    private ChromeDriver browser;

    @BeforeEach
    void logIn() {
        browser = Chromium.start(profile);
        Chromium.logIn(browser, "http://localhost:" + port, "alice");
        browser.get("http://localhost:" + port + "/login");
    }

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
        server.completeAll();
    }

    @Test
    void aServerGoingDownHasTheBrowserReconnectAfterItsRetryAndResume() {
        PageStream.open(browser, "scripted/status-stream", Map.of());

        new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(50))
                .until(page -> "stopped".equals(PageStream.lastBotStatus(page, "1")));
        assertThat(PageStream.statuses(browser)).containsExactly("connecting", "live", "reconnecting", "live");
        assertThat(server.requests).as("Last-Event-ID and query of each request: the second is the browser's own")
                .containsExactly("null null", "e-1 null");
        assertThat(PageStream.events(browser)).extracting(event -> event.get("id")).containsExactly("e-1", "e-2");
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class ScriptedServer {

        @Bean
        ScriptedStream scriptedStream() {
            return new ScriptedStream();
        }

        @Bean
        ServletRegistrationBean<ScriptedStream> scriptedStreamRegistration(ScriptedStream stream) {
            return new ServletRegistrationBean<>(stream, "/scripted/status-stream");
        }
    }

    /** The first request gets a stream that ends with a shutdown; a request resuming from its id gets one more event. */
    static final class ScriptedStream extends HttpServlet {

        private static final String GOING_DOWN = """
                retry: 1500

                event: ping
                data:

                id: e-1
                data: {"key":"1","kind":"snapshot","state":{"status":"running"}}

                event: end
                data: {"reason":"shutdown"}

                """;
        private static final String RESUMED = """
                id: e-2
                data: {"key":"1","kind":"change","state":{"status":"stopped"}}

                """;

        final Queue<String> requests = new ConcurrentLinkedQueue<>();
        private final Queue<AsyncContext> open = new ConcurrentLinkedQueue<>();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String lastEventId = request.getHeader("Last-Event-ID");
            requests.add(lastEventId + " " + request.getQueryString());
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("UTF-8");
            if (lastEventId == null) {
                response.getWriter().write(GOING_DOWN);
                return;
            }
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            open.add(async);
            response.getWriter().write(RESUMED);
            response.flushBuffer();
        }

        void completeAll() {
            List.copyOf(open).forEach(AsyncContext::complete);
        }
    }
}
