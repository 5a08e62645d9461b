package io.statusstream.example;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.statusstream.example.PageStream.statusIs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server ends what a user may no longer see, and the browser client follows: a bot given away leaves the former
 * owner's pages (and the URL of their later reconnects, and the view of tabs that join later); a stream left with no
 * key, or whose session was logged out, ends in every tab sharing it, with the reason, and is not retried.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tradebot.simulator.enabled=false",
        "status-stream.poll-interval=250ms"})
@Import(RequestLog.class)
class StreamClientLifeBrowserTest {

    @LocalServerPort
    int port;
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
    }

    @AfterEach
    void giveBack() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        giveBotTo(2, "alice");
    }

    @Test
    void aBotGivenAwayLeavesTheFormerOwnersDashboardLive() throws IOException {
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#bot-2 .status"), "running"));
        wait.until(ExpectedConditions.attributeToBe(By.id("connection"), "data-status", "live"));

        giveBotTo(2, "bob");

        wait.until(ExpectedConditions.numberOfElementsToBe(By.id("bot-2"), 0));
        assertThat(browser.findElements(By.cssSelector("#bots tr"))).hasSize(3);
        assertThat(browser.findElement(By.id("connection")).getAttribute("data-status")).isEqualTo("live");
    }

    @Test
    void aRevokedKeyIsLeftOutOfReconnectsAndOfTabsThatJoinLater() throws IOException {
        browser.get(url("/login"));
        requests.clear();
        PageStream.open(browser, "api/v1/bots/status-stream?ids=1,2", Map.of("pauseWhenHiddenMs", 300));
        wait.until(statusIs("live"));
        wait.until(page -> "running".equals(PageStream.lastBotStatus(page, "2")));

        giveBotTo(2, "bob");

        wait.until(page -> PageStream.events(page).stream()
                .anyMatch(event -> "2".equals(event.get("key")) && "revoked".equals(event.get("kind"))));
        assertThat(PageStream.events(browser).get(PageStream.events(browser).size() - 1))
                .containsEntry("state", null).containsEntry("id", "");
        // Hidden, the stream pauses; shown again, it reconnects without bot 2 (a 403 for the whole request otherwise).
        browser.manage().window().minimize();
        wait.until(statusIs("paused"));
        browser.manage().window().maximize();
        wait.until(statusIs("live"));
        List<String> streams = requests.requests().stream().filter(request -> request.startsWith("GET ")).toList();
        assertThat(streams).hasSize(2);
        assertThat(streams.get(1)).startsWith("GET /api/v1/bots/status-stream?ids=1&lastEventId=");

        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(url("/login"));
        PageStream.open(browser, "api/v1/bots/status-stream?ids=1,2", Map.of());
        wait.until(statusIs("live"));
        assertThat(PageStream.events(browser)).as("a tab that joins later: bot 1's state, and bot 2 only as revoked")
                .extracting(event -> event.get("key") + " " + event.get("kind"))
                .containsExactlyInAnyOrder("2 revoked", "1 snapshot");
    }

    @Test
    void aStreamWhoseOnlyKeyIsGivenAwayEndsWithRevokedAndIsNotRetried() throws IOException {
        browser.get(url("/login"));
        requests.clear();
        PageStream.open(browser, "api/v1/bots/2/status-stream", Map.of());
        wait.until(statusIs("live"));

        giveBotTo(2, "bob");

        wait.until(statusIs("ended:revoked"));
        assertNoMoreRequestsTo("/api/v1/bots/2/status-stream");
        assertThat(PageStream.statuses(browser)).containsExactly("connecting", "live", "ended:revoked");
    }

    @Test
    void loggingOutEndsTheSharedStreamInEveryTabAndItIsNotRetried() {
        browser.get(url("/login"));
        String first = browser.getWindowHandle();
        requests.clear();
        PageStream.open(browser, "api/v1/bots/1/status-stream", Map.of());
        wait.until(statusIs("live"));
        browser.switchTo().newWindow(WindowType.TAB);
        String second = browser.getWindowHandle();
        browser.get(url("/login"));
        PageStream.open(browser, "api/v1/bots/1/status-stream", Map.of());
        wait.until(statusIs("live"));

        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(url("/logout"));
        browser.findElement(By.cssSelector("button[type=submit]")).click();

        for (String tab : List.of(first, second)) {
            browser.switchTo().window(tab);
            wait.until(statusIs("ended:logged-out"));
        }
        assertNoMoreRequestsTo("/api/v1/bots/1/status-stream");
        assertThat(requests.countTo("/api/v1/bots/1/status-stream")).as("one stream for both tabs, never reopened")
                .isEqualTo(1);
    }

    private void giveBotTo(long bot, String user) throws IOException {
        RawHttp.Response response = new RawHttp(port).post("/api/v1/bots/" + bot + "/owner?to=" + user,
                RawHttp.basic("operator"), "Accept: application/json");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }

    /** Bounded: watches the server's request log for a while and fails at the first further request to the path. */
    private void assertNoMoreRequestsTo(String path) {
        long made = requests.countTo(path);
        assertThatThrownBy(() -> new WebDriverWait(browser, RequestLog.NO_RETRY_WITHIN, Duration.ofMillis(100))
                .until(ignored -> requests.countTo(path) > made))
                .as("requests to %s after the end: %s", path, requests.requests())
                .isInstanceOf(TimeoutException.class);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
