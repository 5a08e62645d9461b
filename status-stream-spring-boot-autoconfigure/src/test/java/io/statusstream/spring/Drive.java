package io.statusstream.spring;

import io.statusstream.test.StatusStreamClient;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.awaitility.Awaitility.await;

/** Repeats a step until a condition holds: writer threads and pollers act on each step asynchronously. */
final class Drive {

    private Drive() {
    }

    /** Within the test kit's timeout. */
    static void until(BooleanSupplier condition, Runnable step) {
        until(condition, step, StatusStreamClient.DEFAULT_TIMEOUT);
    }

    static void until(BooleanSupplier condition, Runnable step, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (condition.getAsBoolean()) {
                return true;
            }
            step.run();
            return false;
        });
    }
}
