package io.statusstream.example;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Path;

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
}
