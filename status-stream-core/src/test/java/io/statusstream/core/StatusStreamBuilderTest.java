package io.statusstream.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StatusStreamBuilderTest {

    private final StatusStreamBuilder<String, String> builder = StatusStream.builder(keys -> Map.of());

    @Test
    void aSettingCannotBeSetTwice() {
        builder.pollInterval(Duration.ofSeconds(1));

        assertThatThrownBy(() -> builder.pollInterval(Duration.ofSeconds(5)))
                .isInstanceOf(IllegalStateException.class).hasMessage("pollInterval was already set to PT1S");
    }

    @Test
    void invalidValuesAreRefusedWhereTheyAreSet() {
        assertThatThrownBy(() -> builder.pollInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval must be positive");
        assertThatThrownBy(() -> builder.batchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize must be positive");
        assertThatThrownBy(() -> builder.replay(-1, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replay size");
        assertThatThrownBy(() -> builder.keyRetention(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyRetention");
        assertThatThrownBy(() -> builder.name(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> builder.serializer(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StatusStream.builder(null)).isInstanceOf(NullPointerException.class);
    }
}
