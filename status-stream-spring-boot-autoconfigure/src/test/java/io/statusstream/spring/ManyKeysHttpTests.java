package io.statusstream.spring;

import io.statusstream.test.StatusStreamClient;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 keys in one request, on a server whose header limit lets such a request through (with Tomcat's default of
 * 8 KB, Tomcat itself answers 400 first): the starter refuses it with 400 and a problem body, whether the keys come as
 * one comma-separated parameter or as 10,000 parameters.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.max-http-request-header-size=1MB",
        "server.tomcat.max-parameter-count=20000"})
class ManyKeysHttpTests {

    @LocalServerPort
    int port;
    @Autowired
    ManualStreamScheduler scheduler;

    @Test
    void tenThousandKeysInOneRequestAreRefusedWith400() {
        StatusStreamClient client = StatusStreamClient.forPort(port).whileWaiting(scheduler::runDue);
        String commaSeparated = IntStream.rangeClosed(1, 10_000).mapToObj(String::valueOf)
                .collect(Collectors.joining(","));
        try (TestStream refused = client.open("/api/v1/bots/status-stream?ids=" + commaSeparated)) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(refused.body()).contains("too many keys");
        }
        String repeated = IntStream.rangeClosed(1, 10_000).mapToObj(key -> "ids=" + key)
                .collect(Collectors.joining("&"));
        try (TestStream refused = client.open("/api/v1/bots/status-stream?" + repeated)) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.body()).contains("too many keys");
        }
    }
}
