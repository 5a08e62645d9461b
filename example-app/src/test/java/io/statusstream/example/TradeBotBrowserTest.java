package io.statusstream.example;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard in a real headless Chromium: log in, watch, act, and see changes arrive over the stream. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tradebot.simulator.enabled=false",
        "status-stream.poll-interval=250ms"})
class TradeBotBrowserTest {

    @LocalServerPort
    int port;
    @Autowired
    BotRepository bots;
    @Autowired
    MeterRegistry meters;
    @TempDir
    Path profile;

    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void logIn() {
        browser = Chromium.start(profile);
        wait = new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(50));
        browser.get(url("/login"));
        browser.findElement(By.name("username")).sendKeys("alice");
        browser.findElement(By.name("password")).sendKeys("alice");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.urlToBe(url("/")));
    }

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
        bots.updateStatus(1, "running", OffsetDateTime.now());
        bots.updateStatus(2, "running", OffsetDateTime.now());
    }

    @Test
    void theDetailPageShowsTheFirstStateAndAStopArrivesOverTheStream() throws Exception {
        browser.get(url("/bot.html?id=1"));
        wait.until(ExpectedConditions.textToBe(By.id("status"), "running"));
        wait.until(ExpectedConditions.attributeToBe(By.id("connection"), "data-status", "live"));
        assertThat(browser.findElement(By.id("name")).getText()).isEqualTo("Momentum BTC");

        browser.findElement(By.id("stop")).click();

        wait.until(ExpectedConditions.textToBe(By.id("status"), "stopped"));
        assertThat(browser.findElement(By.id("stop")).isEnabled()).isFalse();
        saveScreenshot("bot-detail.png");
    }

    @Test
    void theListPageUpdatesWhenABotChangesInTheDatabase() {
        browser.get(url("/"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#bot-2 .status"), "running"));
        assertThat(browser.findElements(By.cssSelector("#bots tr"))).hasSize(4);

        bots.updateStatus(2, "error", OffsetDateTime.now());

        wait.until(ExpectedConditions.textToBe(By.cssSelector("#bot-2 .status"), "error"));
    }

    @Test
    void eightTabsOfTheDetailPageShareOneStreamAndAllShowLiveChanges() {
        List<String> tabs = new ArrayList<>();
        browser.get(url("/bot.html?id=1"));
        wait.until(ExpectedConditions.attributeToBe(By.id("connection"), "data-status", "live"));
        tabs.add(browser.getWindowHandle());
        double openedByTheFirstTab = streamsOpened();
        for (int i = 1; i < 8; i++) {
            browser.switchTo().newWindow(WindowType.TAB);
            browser.get(url("/bot.html?id=1"));
            tabs.add(browser.getWindowHandle());
            wait.until(ExpectedConditions.textToBe(By.id("status"), "running"));
            wait.until(ExpectedConditions.attributeToBe(By.id("connection"), "data-status", "live"));
        }
        assertThat(streamsOpened()).as("the seven later tabs opened no stream: they follow the first tab's")
                .isEqualTo(openedByTheFirstTab);

        bots.updateStatus(1, "paused", OffsetDateTime.now());

        for (String tab : tabs) {
            browser.switchTo().window(tab);
            wait.until(ExpectedConditions.textToBe(By.id("status"), "paused"));
        }
    }

    private double streamsOpened() {
        return meters.get("status.stream.subscribers.opened").tag("stream", "bots").counter().count();
    }

    private void saveScreenshot(String name) throws Exception {
        Path target = Path.of("target", "screenshots", name);
        Files.createDirectories(target.getParent());
        Files.write(target, browser.getScreenshotAs(OutputType.BYTES));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
