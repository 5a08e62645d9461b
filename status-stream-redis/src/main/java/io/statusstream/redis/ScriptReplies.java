package io.statusstream.redis;

import java.util.ArrayList;
import java.util.List;

/**
 * The replies of the {@link ClusterScripts}, each decoded once, here, into a record with named fields. A reply of
 * the wrong shape (a script and its decoder out of step) is an {@link IllegalStateException} naming the script.
 * Every record is immutable; none holds {@code null} except where its javadoc says so.
 */
final class ScriptReplies {

    private ScriptReplies() {
    }

    /**
     * What a heartbeat found.
     *
     * @param epoch          the log's epoch (created by this heartbeat if Redis had none)
     * @param token          the fencing token of the lease this member holds, or {@code 0}
     * @param now            Redis' clock, in milliseconds
     * @param logSeq         the log's newest sequence number
     * @param roundStartedAt when the last completed round began (Redis' clock), or {@code -1} if none completed
     * @param registered     whether the member was still registered; if not, its keys must all be sent again
     * @param lastHintId     the id of the newest hint, {@code 0-0} if none: reads of hints start after it
     */
    record HeartbeatReply(String epoch, long token, long now, long logSeq, long roundStartedAt, boolean registered,
                          String lastHintId) {

        static HeartbeatReply decode(List<String> reply) {
            expectSize("HEARTBEAT", reply, 7);
            return new HeartbeatReply(reply.get(0), number(reply.get(1)), number(reply.get(2)), number(reply.get(3)),
                    roundStartedAt(reply.get(4)), "1".equals(reply.get(5)), reply.get(6));
        }

        /** A completed round is stored as {@code token:startedAt}. */
        private static long roundStartedAt(String round) {
            int colon = round == null ? -1 : round.indexOf(':');
            return colon < 0 ? -1 : number(round.substring(colon + 1));
        }
    }

    /**
     * The start of a leader's round.
     *
     * @param epoch     the log's epoch
     * @param lastSeq   the log's newest sequence number
     * @param startedAt Redis' clock when the round began, in milliseconds
     * @param keys      every key a live member watches, as text
     */
    record RoundReply(String epoch, long lastSeq, long startedAt, List<String> keys) {

        RoundReply {
            keys = List.copyOf(keys);
        }

        static RoundReply decode(List<String> reply) {
            expectAtLeast("BEGIN_ROUND", reply, 3);
            List<String> keys = new ArrayList<>(reply.size() - 3);
            for (String key : reply.subList(3, reply.size())) {
                if (key != null) {
                    keys.add(key);
                }
            }
            return new RoundReply(reply.get(0), number(reply.get(1)), number(reply.get(2)), keys);
        }
    }

    /**
     * One event of a key's history, as the history script returns it.
     *
     * @param key          the key, as text
     * @param seq          its sequence number
     * @param kind         its kind's code ({@link EventFields#kind(String)})
     * @param present      whether the key exists after it
     * @param data         its data as sent live
     * @param snapshotData its data as a snapshot
     */
    record HistoryEntry(String key, long seq, String kind, boolean present, String data, String snapshotData) {

        private static final int FIELDS = 6;

        static List<HistoryEntry> decodeAll(List<String> reply) {
            if (reply.size() % FIELDS != 0) {
                throw malformed("HISTORY", reply, "a multiple of " + FIELDS + " values");
            }
            List<HistoryEntry> entries = new ArrayList<>(reply.size() / FIELDS);
            for (int i = 0; i < reply.size(); i += FIELDS) {
                entries.add(new HistoryEntry(reply.get(i), number(reply.get(i + 1)), reply.get(i + 2),
                        "1".equals(reply.get(i + 3)), reply.get(i + 4), reply.get(i + 5)));
            }
            return entries;
        }
    }

    /** The log's newest sequence number after an append. */
    record AppendReply(long lastSeq) {

        static AppendReply decode(List<String> reply) {
            expectSize("APPEND", reply, 1);
            return new AppendReply(number(reply.get(0)));
        }
    }

    /** The epoch after a check that the log went back: a new one if it really did. */
    record EpochReply(String epoch) {

        static EpochReply decode(List<String> reply) {
            expectSize("RENEW_EPOCH", reply, 1);
            return new EpochReply(reply.get(0) == null ? "" : reply.get(0));
        }
    }

    /** The keys, as text, that some live member watches. */
    record WatchedReply(List<String> keys) {

        WatchedReply {
            keys = List.copyOf(keys);
        }

        static WatchedReply decode(List<String> reply) {
            List<String> keys = new ArrayList<>(reply.size());
            for (String key : reply) {
                if (key != null) {
                    keys.add(key);
                }
            }
            return new WatchedReply(keys);
        }
    }

    /** A script's raw reply as text; {@code null} (no reply) is empty. */
    static List<String> texts(List<?> reply) {
        List<String> texts = new ArrayList<>(reply == null ? 0 : reply.size());
        if (reply != null) {
            for (Object value : reply) {
                texts.add(value == null ? null : value.toString());
            }
        }
        return texts;
    }

    private static long number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException malformed) {
            throw new IllegalStateException("a cluster script replied '" + text + "' where a number was expected",
                    malformed);
        }
    }

    private static void expectSize(String script, List<String> reply, int size) {
        if (reply.size() != size) {
            throw malformed(script, reply, size + " values");
        }
    }

    private static void expectAtLeast(String script, List<String> reply, int size) {
        if (reply.size() < size) {
            throw malformed(script, reply, "at least " + size + " values");
        }
    }

    private static IllegalStateException malformed(String script, List<String> reply, String expected) {
        return new IllegalStateException("the " + script + " script replied " + reply.size() + " values, expected "
                + expected + " (the script and its decoder are out of step)");
    }
}
