package io.statusstream.core;

import java.security.SecureRandom;

/**
 * Event ids {@code <epoch>-<seq>}: {@code epoch} random per engine start, {@code seq} one counter per engine across
 * all keys, so one comparison tells what a client has seen. Stateless; thread-safe.
 */
final class EventId {

    /** Longer ids are not ours: rejected before any parsing work. */
    static final int MAX_LENGTH = 64;
    /** Sequence number of a {@code Last-Event-ID} that is absent, malformed, foreign or from the future. */
    static final long UNKNOWN = -1;

    private static final SecureRandom RANDOM = new SecureRandom();

    private EventId() {
    }

    /** A new random epoch of lowercase letters and digits, without {@code '-'}. */
    static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    static String format(String epoch, long seq) {
        return epoch + '-' + seq;
    }

    /**
     * The sequence number of {@code lastEventId} if it is of {@code epoch} and not beyond {@code newestSeq}, else
     * {@link #UNKNOWN}. Only the canonical form is accepted (no sign, no leading zero). Never throws: a bad id only
     * means the client gets snapshots.
     */
    static long parseSeq(String lastEventId, String epoch, long newestSeq) {
        if (lastEventId == null || lastEventId.length() > MAX_LENGTH
                || lastEventId.length() <= epoch.length() + 1
                || !lastEventId.startsWith(epoch) || lastEventId.charAt(epoch.length()) != '-') {
            return UNKNOWN;
        }
        int digits = epoch.length() + 1;
        if (lastEventId.charAt(digits) == '0' && lastEventId.length() > digits + 1) {
            return UNKNOWN;
        }
        long seq = 0;
        for (int i = digits; i < lastEventId.length(); i++) {
            char c = lastEventId.charAt(i);
            if (c < '0' || c > '9' || seq > (Long.MAX_VALUE - (c - '0')) / 10) {
                return UNKNOWN;
            }
            seq = seq * 10 + (c - '0');
        }
        return seq <= newestSeq ? seq : UNKNOWN;
    }
}
