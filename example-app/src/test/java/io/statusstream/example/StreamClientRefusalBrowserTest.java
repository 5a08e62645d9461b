package io.statusstream.example;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.statusstream.example.PageStream.statusIs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stream the server refuses (401 without a login, 403 for another user's bot, or a redirect to the login page where
 * Spring Security was set up without the starter's entry point for streams) makes the browser client report
 * {@code unauthorized} and stop: no retries against a login page forever.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "tradebot.simulator.enabled=false")
@Import({RequestLog.class, StreamClientRefusalBrowserTest.LoginRedirectForMultiKeyStreams.class})
class StreamClientRefusalBrowserTest {

    @LocalServerPort
    int port;
    @Autowired
    RequestLog requests;
    @TempDir
    Path profile;

    private ChromeDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void start() {
        browser = Chromium.start(profile);
        wait = new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(50));
        requests.clear();
    }

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aStreamAnsweredWith401ReportsUnauthorizedAndIsNotRetried() {
        browser.get(url("/login"));

        PageStream.open(browser, "api/v1/bots/1/status-stream", Map.of());

        wait.until(statusIs("unauthorized"));
        assertNoMoreRequestsTo("/api/v1/bots/1/status-stream");
        assertThat(PageStream.statuses(browser)).containsExactly("connecting", "unauthorized");
    }

    @Test
    void aStreamOfAnotherUsersBotAnsweredWith403ReportsUnauthorizedAndIsNotRetried() {
        Chromium.logIn(browser, url(""), "bob");
        browser.get(url("/login"));

        PageStream.open(browser, "api/v1/bots/1/status-stream", Map.of());

        wait.until(statusIs("unauthorized"));
        assertNoMoreRequestsTo("/api/v1/bots/1/status-stream");
    }

    @Test
    void aStreamRedirectedToTheLoginPageReportsUnauthorizedAndIsNotRetried() {
        browser.get(url("/login"));

        PageStream.open(browser, "api/v1/bots/status-stream?ids=1,2", Map.of());

        wait.until(statusIs("unauthorized"));
        assertThat(requests.requests()).as("the client asked why with HEAD, which was redirected too")
                .contains("HEAD /api/v1/bots/status-stream?ids=1,2");
        assertNoMoreRequestsTo("/api/v1/bots/status-stream");
        assertThat(PageStream.statuses(browser)).containsExactly("connecting", "unauthorized");
    }

    /** Bounded: watches the server's request log for a while and fails at the first further request to the path. */
    private void assertNoMoreRequestsTo(String path) {
        long made = requests.countTo(path);
        assertThatThrownBy(() -> new WebDriverWait(browser, RequestLog.NO_RETRY_WITHIN, Duration.ofMillis(100))
                .until(ignored -> requests.countTo(path) > made))
                .as("requests to %s after the refusal: %s", path, requests.requests())
                .isInstanceOf(TimeoutException.class);
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }

    /**
     * The mistake the starter's README warns about, for the multi-key stream URL only: the login's redirect answers a
     * stream request without a session, so an {@code EventSource} follows it into the HTML login page.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class LoginRedirectForMultiKeyStreams {

        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        SecurityFilterChain redirectingStreams(HttpSecurity http) throws Exception {
            return http.securityMatcher("/api/v1/bots/status-stream")
                    .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                    .exceptionHandling(exceptions -> exceptions
                            .authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/login")))
                    .build();
        }
    }
}
