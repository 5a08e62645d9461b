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
}
