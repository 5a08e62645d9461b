package io.statusstream.example;

import io.statusstream.test.StatusStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter in an ahead-of-time processed application: the packaged jar, whose bean definitions the build generated
 * ({@code spring-boot:process-aot}), started as its own JVM with {@code -Dspring.aot.enabled=true}. Runs in
 * {@code verify} (failsafe), after the jar is built.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AotApplicationIT {

    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");
    private static final Duration STARTUP = Duration.ofSeconds(120);

    private static final List<String> log = new CopyOnWriteArrayList<>();
    private static Process application;
    private static int port;

    @BeforeAll
    static void startTheAotProcessedJar() throws IOException {
        Path jar = Path.of(System.getProperty("statusstream.example.jar", "target/example-app.jar"));
        assertThat(jar).as("the packaged application (mvn package first)").exists();
        assertThat(Files.exists(Path.of("target/spring-aot/main/sources"))).as("process-aot ran").isTrue();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        application = new ProcessBuilder(java, "-Dspring.aot.enabled=true", "-jar", jar.toString(),
                "--server.port=0", "--tradebot.simulator.enabled=false", "--status-stream.poll-interval=1h")
                .redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(application.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    log.add(line);
                }
            } catch (IOException ended) {
                // the process went away; what it logged is kept
            }
        }, "aot-app-log");
        reader.setDaemon(true);
        reader.start();
        try {
            await().atMost(STARTUP).pollInterval(Duration.ofMillis(200))
                    .failFast("the application exited", () -> !application.isAlive())
                    .until(() -> log.stream().anyMatch(line -> PORT.matcher(line).find()));
        } catch (RuntimeException | AssertionError notListening) {
            throw new AssertionError("the AOT-processed application did not start; its log:\n"
                    + String.join("\n", log), notListening);
        }
        Matcher started = log.stream().map(PORT::matcher).filter(Matcher::find).findFirst().orElseThrow();
        port = Integer.parseInt(started.group(1));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (application != null) {
            application.destroy();
            if (!application.waitFor(30, TimeUnit.SECONDS)) {
                application.destroyForcibly();
            }
        }
    }

    @Test
    void startsWithTheGeneratedBeanDefinitions() {
        assertThat(log).anyMatch(line -> line.contains("Starting AOT-processed TradeBotApplication"));
        assertThat(log).anyMatch(line -> line.contains("Status stream 'bots' started"));
    }

    @Test
    void aStreamGivesTheSnapshotAndThenTheChangesPushedByTheApplication() throws Exception {
        StatusStreamClient bob = StatusStreamClient.forPort(port).withBasicAuth("bob", "bob");
        try (TestStream stream = bob.open("/api/v1/bots/status-stream?ids=6")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.expectSnapshot("6").state()).contains("\"status\":\"stopped\"");

            assertThat(post("/api/v1/bots/6/start", "bob").statusCode()).isEqualTo(200);
            assertThat(stream.expectChange("6").state()).contains("\"status\":\"running\"");
            stream.assertIdsIncreasing();
        }
        assertThat(bob.open("/api/v1/bots/1/status-stream").status()).as("alice's bot").isEqualTo(403);
    }

    /** What a native image would need: the starter's hints reached the build's metadata through aot.factories. */
    @Test
    void theBuildsReachabilityMetadataHasTheStartersHints() throws IOException {
        Path metadata = Path.of("target/spring-aot/main/resources/META-INF/native-image/io.statusstream/example-app",
                "reachability-metadata.json");
        JsonNode hints = JsonMapper.shared().readTree(Files.readString(metadata));
        List<String> endpointMethods = new java.util.ArrayList<>();
        for (JsonNode type : hints.get("reflection")) {
            if (type.path("type").asString("").equals("io.statusstream.spring.StreamEndpoint")) {
                type.path("methods").forEach(method -> endpointMethods.add(method.get("name").asString()));
            }
        }
        assertThat(endpointMethods).contains("singleKey", "multiKey");
        assertThat(hints.get("resources").toString()).contains("META-INF/resources/status-stream/status-stream.js");
    }

    @Test
    void theBrowserClientIsServed() throws Exception {
        HttpResponse<String> script = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/status-stream/status-stream.js"))
                        .header("Authorization", basic("alice")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("export function openStatusStream");
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> post(String path, String user) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Authorization", basic(user))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
