package io.statusstream.spring;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Credentials go to origins the application named, never to a pattern that admits any origin. */
class CorsCredentialsRuleTest {

    @ParameterizedTest
    @ValueSource(strings = {"*", "http*://*", "*://*", "https://*", "http://*:[*]", "n*"})
    void aPatternThatAdmitsAnyOriginIsRefusedTogetherWithCredentials(String pattern) {
        assertThatThrownBy(() -> cors(pattern, true))
                .isInstanceOf(StatusStreamConfigurationException.class)
                .hasMessageContaining("status-stream.cors.allowed-origin-patterns entry '" + pattern + "'")
                .hasMessageContaining("https://*.example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://*.example.com", "https://app.example.com", "http://localhost:[*]"})
    void aPatternOfNamedHostsIsAcceptedWithCredentials(String pattern) {
        assertThat(cors(pattern, true).allowedOriginPatterns()).containsExactly(pattern);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "https://*"})
    void anyOriginIsAcceptedWithoutCredentials(String pattern) {
        assertThat(cors(pattern, false).isEnabled()).isTrue();
    }

    private static StatusStreamProperties.Cors cors(String pattern, boolean credentials) {
        return new StatusStreamProperties.Cors(List.of(), List.of(pattern), credentials, Duration.ofMinutes(30));
    }
}
