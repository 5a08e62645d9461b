package io.statusstream.example;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static io.statusstream.example.PageStream.statusIs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With {@code pauseWhenHiddenMs}, the shared connection closes once every tab of the stream has been hidden that long,
 * and reopens from the last event id when one is shown again, so the page converges on what changed meanwhile.
 * Hidden is real here: headless Chromium hides a tab behind another tab and every tab of a minimized window.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tradebot.simulator.enabled=false",
        "status-stream.poll-interval=250ms"})
@Import(RequestLog.class)
class StreamClientPauseBrowserTest {

    private static final String STREAM = "api/v1/bots/1/status-stream";
    private static final Map<String, Object> PAUSE_AFTER_500_MS = Map.of("pauseWhenHiddenMs", 500);

    @LocalServerPort
    int port;
    @Autowired
    BotRepository bots;
    @Autowired
    RequestLog requests;
    @TempDir
    Path profile;

    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void logIn() {
        browser = Chromium.start(profile);
        wait = new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(50));
        Chromium.logIn(browser, url(""), "alice");
        browser.get(url("/login"));
        requests.clear();
    }

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
        bots.updateStatus(1, "running", OffsetDateTime.now());
    }

    @Test
    void aHiddenTabPausesTheStreamAndResumesFromTheLastIdWhenShown() {
        PageStream.open(browser, STREAM, PAUSE_AFTER_500_MS);
        wait.until(statusIs("live"));
        wait.until(page -> "running".equals(PageStream.lastBotStatus(page, "1")));
        String lastId = lastEventId();

        browser.manage().window().minimize();
        wait.until(statusIs("paused"));
        bots.updateStatus(1, "stopped", OffsetDateTime.now());
        browser.manage().window().maximize();

        wait.until(page -> "stopped".equals(PageStream.lastBotStatus(page, "1")));
        wait.until(statusIs("live"));
        assertThat(PageStream.statuses(browser)).containsExactly("connecting", "live", "paused", "reconnecting", "live");
        assertThat(requests.requests()).as("one stream, then one resumed from the last id seen before the pause")
                .containsExactly("GET /" + STREAM, "GET /" + STREAM + "?lastEventId=" + lastId);
    }

    @Test
    void theSharedStreamPausesOnlyWhenEveryTabIsHidden() {
        String first = browser.getWindowHandle();
        PageStream.open(browser, STREAM, PAUSE_AFTER_500_MS);
        wait.until(statusIs("live"));
        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(url("/login"));
        PageStream.open(browser, STREAM, PAUSE_AFTER_500_MS);
        wait.until(statusIs("live"));
        int reported = PageStream.statuses(browser).size();
        // (The first tab may have paused already, hidden by this tab before it joined: then this tab's hello resumed.)
        long streamsBefore = streamRequests();

        // The first tab, which holds the connection, is hidden behind this one, which is visible.
        assertThatThrownBy(() -> new WebDriverWait(browser, Duration.ofSeconds(2), Duration.ofMillis(100))
                .until(page -> PageStream.statuses(page).size() > reported))
                .as("statuses while one tab is visible: %s", PageStream.statuses(browser))
                .isInstanceOf(TimeoutException.class);

        browser.manage().window().minimize();
        wait.until(statusIs("paused"));
        bots.updateStatus(1, "error", OffsetDateTime.now());
        browser.manage().window().maximize();

        wait.until(page -> "error".equals(PageStream.lastBotStatus(page, "1")));
        wait.until(statusIs("live"));
        browser.switchTo().window(first);
        wait.until(page -> "error".equals(PageStream.lastBotStatus(page, "1")));
        List<String> streams = requests.requests().stream().filter(request -> request.startsWith("GET ")).toList();
        assertThat(streams).as("one resumption after the pause, and no stream of the second tab's own")
                .hasSize((int) streamsBefore + 1);
        assertThat(streams.get(streams.size() - 1)).contains("lastEventId=");
    }

    private long streamRequests() {
        return requests.requests().stream().filter(request -> request.startsWith("GET ")).count();
    }

    private String lastEventId() {
        return PageStream.events(browser).stream().map(event -> (String) event.get("id"))
                .filter(id -> id != null && !id.isEmpty()).reduce((a, b) -> b).orElseThrow();
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
