package io.statusstream.example;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's headless Chromium and its driver, never downloaded. Where they are missing the test is skipped with the
 * reason, unless {@code STATUSSTREAM_REQUIRE_SERVICES=true} (as CI sets), where it fails.
 */
final class Chromium {

    static final File BROWSER = new File("/usr/bin/chromium");
    static final File DRIVER = new File("/usr/bin/chromedriver");

    private Chromium() {
    }

    static ChromeDriver start(Path profile) {
        if (!BROWSER.canExecute() || !DRIVER.canExecute()) {
            String reason = "Chromium is not installed (" + BROWSER + ", " + DRIVER
                    + "): apt-get install -y chromium chromium-driver";
            if ("true".equals(System.getenv("STATUSSTREAM_REQUIRE_SERVICES"))
                    || Boolean.getBoolean("statusstream.requireServices")) {
                throw new IllegalStateException(reason);
            }
            Assumptions.abort(reason);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        return new ChromeDriver(service, options);
    }

    /** Logs in with the form login (the demo users' passwords are their names) and waits for the dashboard. */
    static void logIn(ChromeDriver browser, String root, String user) {
        browser.get(root + "/login");
        browser.findElement(By.name("username")).sendKeys(user);
        browser.findElement(By.name("password")).sendKeys(user);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.urlToBe(root + "/"));
    }
}
