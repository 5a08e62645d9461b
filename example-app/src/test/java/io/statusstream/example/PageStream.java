package io.statusstream.example;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;

import java.util.List;
import java.util.Map;

/**
 * The starter's browser client, opened in the current tab of a real browser by a script of the test, so that a test
 * chooses its options and reads what it reported: every status ({@code "ended:logged-out"} when it has a reason) and
 * every event, in order.
 */
final class PageStream {

    private static final String OPEN = """
            const [url, options, done] = arguments;
            import(new URL('status-stream/status-stream.js', document.baseURI).href).then(({ openStatusStream }) => {
              window.streamLog = { statuses: [], events: [] };
              window.stream = openStatusStream(url, Object.assign(options, {
                onEvent: (event) => window.streamLog.events.push(event),
                onStatus: (status, reason) => window.streamLog.statuses.push(reason ? status + ':' + reason : status),
              }));
              done('');
            }, (error) => done(String(error)));
            """;

    private PageStream() {
    }

    /** Opens a stream in the current tab, whose page must come from the application (the client is served there). */
    static void open(WebDriver browser, String url, Map<String, Object> options) {
        Object failure = ((JavascriptExecutor) browser).executeAsyncScript(OPEN, url, options);
        if (!"".equals(failure)) {
            throw new IllegalStateException("could not open the client: " + failure);
        }
    }

    @SuppressWarnings("unchecked")
    static List<String> statuses(WebDriver browser) {
        return (List<String>) ((JavascriptExecutor) browser).executeScript("return window.streamLog.statuses");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(WebDriver browser) {
        return (List<Map<String, Object>>) ((JavascriptExecutor) browser).executeScript("return window.streamLog.events");
    }

    static String lastStatus(WebDriver browser) {
        List<String> statuses = statuses(browser);
        return statuses.isEmpty() ? null : statuses.get(statuses.size() - 1);
    }

    /** The {@code status} field of the latest state of the key, or null before one arrived. */
    @SuppressWarnings("unchecked")
    static String lastBotStatus(WebDriver browser, String key) {
        return events(browser).stream().filter(event -> key.equals(event.get("key")))
                .reduce((first, second) -> second)
                .map(event -> (Map<String, Object>) event.get("state"))
                .map(state -> state == null ? null : (String) state.get("status"))
                .orElse(null);
    }

    static ExpectedCondition<Boolean> statusIs(String status) {
        return new ExpectedCondition<>() {
            @Override
            public Boolean apply(WebDriver browser) {
                return status.equals(lastStatus(browser));
            }

            @Override
            public String toString() {
                return "the client's status to become " + status;
            }
        };
    }
}
