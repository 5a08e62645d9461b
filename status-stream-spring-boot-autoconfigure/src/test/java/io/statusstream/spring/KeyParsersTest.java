package io.statusstream.spring;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One spelling per key: ASCII decimal digits only. */
class KeyParsersTest {

    @Test
    void parsesAsciiDecimalKeysUpToLongMax() {
        assertThat(KeyParsers.asciiLong().apply("0")).isZero();
        assertThat(KeyParsers.asciiLong().apply("42")).isEqualTo(42L);
        assertThat(KeyParsers.asciiLong().apply(Long.toString(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+1", "-1", "01", "١", "１", "1 ", " 1", "1e3", "9223372036854775808",
            "99999999999999999999"})
    void refusesEveryOtherSpelling(String text) {
        assertThatThrownBy(() -> KeyParsers.asciiLong().apply(text)).isInstanceOf(NumberFormatException.class);
    }
}
