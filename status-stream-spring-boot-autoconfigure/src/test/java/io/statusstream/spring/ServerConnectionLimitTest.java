package io.statusstream.spring;

import io.statusstream.spring.ServerConnectionLimit.ServerKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class ServerConnectionLimitTest {

    @Test
    void theDefaultLimitAboveTomcatsDefaultIsLoweredWithAnInfoLineNotAWarning(CapturedOutput output) {
        ConnectionLimiter limiter = new ConnectionLimiter(10_000, 100);

        new ServerConnectionLimit(limiter).align(8_192, ServerKind.TOMCAT, false);

        assertThat(limiter.maxConnections()).isEqualTo(8_192 - 8_192 / 64);
        assertThat(output.getAll()).contains("INFO").doesNotContain("WARN")
                .contains("status-stream.max-connections (10000, the default) is not below Tomcat's own connection"
                        + " limit (8192): stream requests are limited to 8064")
                .contains("raise server.tomcat.max-connections above status-stream.max-connections");
    }

    @Test
    void aLimitAlreadyBelowTheServersIsLeftAloneAndNothingIsLogged(CapturedOutput output) {
        ConnectionLimiter limiter = new ConnectionLimiter(500, 100);

        new ServerConnectionLimit(limiter).align(8_192, ServerKind.TOMCAT, true);

        assertThat(limiter.maxConnections()).isEqualTo(500);
        assertThat(output.getAll()).doesNotContain("status-stream.max-connections");
    }

    @Test
    void jettysLimitIsNamedWithItsOwnProperty(CapturedOutput output) {
        ConnectionLimiter limiter = new ConnectionLimiter(1_000, 100);

        new ServerConnectionLimit(limiter).align(100, ServerKind.JETTY, true);

        assertThat(limiter.maxConnections()).isEqualTo(99);
        assertThat(output.getAll()).contains("WARN").contains("raise server.jetty.max-connections above");
    }
}
