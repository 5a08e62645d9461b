package io.statusstream.starter.webflux;

import io.statusstream.spring.KeyParsers;
import io.statusstream.spring.StatusStreams;
import io.statusstream.spring.StreamDefinition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's WebFlux quick start as a user would run it: a reactive application ({@code spring-boot-starter-webflux}
 * on Reactor Netty) whose only status-stream dependency is this starter, with no Spring MVC, no servlet container and
 * no Tomcat on its class path, and one {@code StreamDefinition} bean. A plain HTTP client gets the snapshot, and the
 * change after a {@code touch}.
 */
@SpringBootTest(classes = WebFluxQuickStartTest.QuickStartApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class WebFluxQuickStartTest {

    @LocalServerPort
    int port;
    @Autowired
    StatusStreams streams;
    @Autowired
    Map<Long, String> bots;
    @Autowired
    WebServerApplicationContext context;

    @Test
    void aReactiveApplicationStreamsWithTheOneStarter() throws Exception {
        assertThat(context.getWebServer().getClass().getSimpleName()).isEqualTo("NettyWebServer");
        assertThat(ClassUtils.isPresent("org.springframework.web.servlet.DispatcherServlet", null)).isFalse();
        assertThat(ClassUtils.isPresent("org.apache.catalina.connector.Connector", null)).isFalse();

        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/v1/bots/7/status-stream"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream;charset=UTF-8");
        try (BufferedReader events = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(nextData(events)).isEqualTo("{\"key\":\"7\",\"kind\":\"snapshot\",\"state\":\"RUNNING\"}");

            bots.put(7L, "STOPPED");
            streams.<Long, String>get("bots").touch(7L);
            assertThat(nextData(events)).isEqualTo("{\"key\":\"7\",\"kind\":\"change\",\"state\":\"STOPPED\"}");
        }
    }

    private static String nextData(BufferedReader events) throws java.io.IOException {
        for (String line; (line = events.readLine()) != null; ) {
            if (line.startsWith("data:") && line.contains("\"key\"")) {
                String data = line.substring("data:".length());
                return data.startsWith(" ") ? data.substring(1) : data; // the SSE field's one optional space
            }
        }
        throw new AssertionError("the stream ended");
    }

    /** The quick start's application: bots' statuses in a map standing in for a repository. */
    @SpringBootApplication
    static class QuickStartApplication {

        @Bean
        Map<Long, String> bots() {
            Map<Long, String> bots = new ConcurrentHashMap<>();
            bots.put(7L, "RUNNING");
            return bots;
        }

        @Bean
        StreamDefinition<Long, String> botStream(Map<Long, String> bots) {
            return StreamDefinition.<Long, String>builder("bots", ids -> {
                        Map<Long, String> found = new java.util.HashMap<>();
                        ids.forEach(id -> {
                            String status = bots.get(id);
                            if (status != null) {
                                found.put(id, status);
                            }
                        });
                        return found;
                    })
                    .path("/api/v1/bots")
                    .keyParser(KeyParsers.asciiLong())
                    .publicAccess()
                    .build();
        }
    }
}
