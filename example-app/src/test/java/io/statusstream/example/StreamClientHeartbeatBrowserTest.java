package io.statusstream.example;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.statusstream.example.PageStream.statusIs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client's watchdog takes the heartbeat interval from the server's pings: a server that pings every 5 s keeps a
 * client whose own interval is 1 s (a watchdog of 2.5 s) connected through silences longer than 2.5 s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tradebot.simulator.enabled=false",
        "status-stream.heartbeat-interval=5s"})
class StreamClientHeartbeatBrowserTest {

    @LocalServerPort
    int port;
    @Autowired
    MeterRegistry meters;
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
    }

    @Test
    void aClientStaysConnectedThroughSilencesShorterThanTheServersHeartbeatNotItsOwnDefault() {
        PageStream.open(browser, "api/v1/bots/1/status-stream", Map.of("heartbeatIntervalMs", 1000));
        new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(50)).until(statusIs("live"));
        double opened = streamsOpened();

        // Its own 1 s would reconnect after 2.5 s without a ping; the server's 5 s allows 12.5 s.
        assertThatThrownBy(() -> new WebDriverWait(browser, Duration.ofSeconds(6), Duration.ofMillis(100))
                .until(ignored -> !"live".equals(PageStream.lastStatus(browser)) || streamsOpened() > opened))
                .isInstanceOf(TimeoutException.class);
        assertThat(PageStream.statuses(browser)).containsExactly("connecting", "live");
        assertThat(streamsOpened()).isEqualTo(opened);
    }

    private double streamsOpened() {
        return meters.get("status.stream.subscribers.opened").tag("stream", "bots").counter().count();
    }
}
