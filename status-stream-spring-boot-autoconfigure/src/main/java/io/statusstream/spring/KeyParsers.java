package io.statusstream.spring;

import java.util.function.Function;

/**
 * Key parsers for {@link StreamDefinition.Builder#keyParser}, stricter than the JDK's: {@code Long::valueOf} also
 * accepts {@code +7}, and digits of every script ({@code ١}, {@code １}), so one key could be written in many ways in
 * URLs, logs and caches. These accept one spelling per key. Stateless; thread-safe.
 */
public final class KeyParsers {

    private static final int MAX_LONG_DIGITS = 19;

    private KeyParsers() {
    }

    /**
     * Non-negative {@code long} keys in ASCII decimal: {@code 0} or {@code 1}–{@code 9} followed by up to 18 digits
     * {@code 0}–{@code 9}, within {@link Long#MAX_VALUE}. Anything else (sign, leading zero, other scripts' digits,
     * overflow) throws {@link NumberFormatException}: the endpoint answers 400.
     *
     * @return a stateless parser; it never returns {@code null}
     */
    public static Function<String, Long> asciiLong() {
        return KeyParsers::parseAsciiLong;
    }

    private static Long parseAsciiLong(String text) {
        int length = text.length();
        if (length == 0 || length > MAX_LONG_DIGITS || (text.charAt(0) == '0' && length > 1)) {
            throw new NumberFormatException("not an ASCII decimal key: " + text);
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9' || value > (Long.MAX_VALUE - (c - '0')) / 10) {
                throw new NumberFormatException("not an ASCII decimal key: " + text);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
