package io.statusstream.core;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class EventIdTest {

    private static final String EPOCH = "k3x9";

    @Test
    void parsesItsOwnIdsUpToTheNewestSequence() {
        assertThat(EventId.parseSeq(EventId.format(EPOCH, 0), EPOCH, 10)).isZero();
        assertThat(EventId.parseSeq(EventId.format(EPOCH, 10), EPOCH, 10)).isEqualTo(10);
        assertThat(EventId.parseSeq(EventId.format(EPOCH, 11), EPOCH, 10)).isEqualTo(EventId.UNKNOWN);
        assertThat(EventId.parseSeq(EventId.format(EPOCH, Long.MAX_VALUE), EPOCH, Long.MAX_VALUE))
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void epochsAreDistinctAndCannotBeConfusedWithTheSeparator() {
        String first = EventId.newEpoch();
        String second = EventId.newEpoch();

        assertThat(first).isNotEqualTo(second).doesNotContain("-").matches("[0-9a-z]+");
        assertThat(EventId.parseSeq(EventId.format(first, 1), second, 10)).isEqualTo(EventId.UNKNOWN);
    }

    @RepeatedTest(20)
    void anyStringParsesToAKnownSequenceOrUnknownWithoutThrowing() {
        Random random = new Random();
        String alphabet = EPOCH + "-0123456789 \n\u0000€-";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder id = new StringBuilder(random.nextBoolean() ? EPOCH + "-" : "");
            int length = random.nextInt(30);
            for (int c = 0; c < length; c++) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            long seq = EventId.parseSeq(id.toString(), EPOCH, 1_000_000);

            if (seq != EventId.UNKNOWN) {
                assertThat(id.toString()).isEqualTo(EPOCH + "-" + seq);
                assertThat(seq).isBetween(0L, 1_000_000L);
            }
        }
    }

    /**
     * Seeded (a failure reproduces), against a reference written differently (a regular expression and
     * {@code BigInteger}): ids near the overflow boundary, with signs, leading zeros, other epochs, long and non-ASCII
     * tails. Checks both directions: what parses is right, and every valid id parses.
     */
    @Test
    void generatedIdsParseExactlyAsTheReferenceSays() {
        Random random = new Random(20261124L);
        String[] pieces = {EPOCH, "k3x", "k3x99", "-", "--", "+", "0", "00", "1", "7", "9", "10", "922337203685477580",
                "9223372036854775807", "9223372036854775808", "99999999999999999999", " ", "\u0661", "e3", ".", "x"};
        java.util.regex.Pattern canonical = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote(EPOCH) + "-(0|[1-9][0-9]*)");
        int accepted = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder id = new StringBuilder(random.nextBoolean() ? EPOCH + "-" : "");
            for (int n = random.nextInt(3); n >= 0; n--) {
                id.append(pieces[random.nextInt(pieces.length)]);
            }
            long newest = random.nextBoolean() ? Long.MAX_VALUE : random.nextInt(1_000);
            String text = id.toString();

            java.util.regex.Matcher matcher = canonical.matcher(text);
            long expected = EventId.UNKNOWN;
            if (text.length() <= EventId.MAX_LENGTH && matcher.matches()) {
                java.math.BigInteger seq = new java.math.BigInteger(matcher.group(1));
                if (seq.compareTo(java.math.BigInteger.valueOf(newest)) <= 0) {
                    expected = seq.longValueExact();
                }
            }
            assertThat(EventId.parseSeq(text, EPOCH, newest)).as("'%s' up to %d", text, newest).isEqualTo(expected);
            accepted += expected == EventId.UNKNOWN ? 0 : 1;
        }
        assertThat(accepted).as("the generator also makes valid ids").isGreaterThan(1_000);
    }
}
