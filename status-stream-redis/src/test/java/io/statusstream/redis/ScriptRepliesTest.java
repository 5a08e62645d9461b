package io.statusstream.redis;

import io.statusstream.redis.ScriptReplies.AppendReply;
import io.statusstream.redis.ScriptReplies.EpochReply;
import io.statusstream.redis.ScriptReplies.HeartbeatReply;
import io.statusstream.redis.ScriptReplies.HistoryEntry;
import io.statusstream.redis.ScriptReplies.RoundReply;
import io.statusstream.redis.ScriptReplies.WatchedReply;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each script's reply, as {@link ClusterScripts} documents it, decoded into named fields. */
class ScriptRepliesTest {

    @Test
    void decodesAHeartbeatReplyIntoItsFields() {
        HeartbeatReply reply = HeartbeatReply.decode(List.of("ep1", "12", "1700000000123", "345", "12:1700000000001",
                "1", "1700000000050-0"));

        assertThat(reply).isEqualTo(new HeartbeatReply("ep1", 12, 1_700_000_000_123L, 345, 1_700_000_000_001L, true,
                "1700000000050-0"));
    }

    @Test
    void aHeartbeatReplyWithoutACompletedRoundOrRegistrationSaysSo() {
        HeartbeatReply reply = HeartbeatReply.decode(List.of("ep1", "0", "5", "0", "", "0", "0-0"));

        assertThat(reply.roundStartedAt()).isEqualTo(-1);
        assertThat(reply.registered()).isFalse();
        assertThat(reply.token()).isZero();
    }

    @Test
    void decodesTheStartOfARoundWithEveryWatchedKey() {
        RoundReply round = RoundReply.decode(List.of("ep1", "40", "1000", "7", "8"));

        assertThat(round).isEqualTo(new RoundReply("ep1", 40, 1000, List.of("7", "8")));
        assertThat(RoundReply.decode(List.of("ep1", "0", "1000")).keys()).isEmpty();
    }

    @Test
    void decodesAHistoryReplySixValuesPerEvent() {
        List<HistoryEntry> entries = HistoryEntry.decodeAll(List.of(
                "7", "3", "c", "1", "{\"v\":3}", "{\"v\":3,\"s\":1}",
                "8", "4", "r", "0", "{}", "{}"));

        assertThat(entries).containsExactly(new HistoryEntry("7", 3, "c", true, "{\"v\":3}", "{\"v\":3,\"s\":1}"),
                new HistoryEntry("8", 4, "r", false, "{}", "{}"));
    }

    @Test
    void decodesTheSmallReplies() {
        assertThat(AppendReply.decode(List.of("17"))).isEqualTo(new AppendReply(17));
        assertThat(EpochReply.decode(List.of("ep2"))).isEqualTo(new EpochReply("ep2"));
        assertThat(WatchedReply.decode(List.of("1", "2"))).isEqualTo(new WatchedReply(List.of("1", "2")));
    }

    @Test
    void aReplyOfTheWrongShapeNamesTheScript() {
        assertThatThrownBy(() -> HeartbeatReply.decode(List.of("ep1", "0")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HEARTBEAT script replied 2 values");
        assertThatThrownBy(() -> HistoryEntry.decodeAll(List.of("7", "3", "c")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HISTORY");
        assertThatThrownBy(() -> RoundReply.decode(List.of("ep1", "x", "1")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'x' where a number was expected");
    }

    @Test
    void rawRepliesBecomeTextWithNullsKept() {
        assertThat(ScriptReplies.texts(Arrays.asList("a", 1L, null))).containsExactly("a", "1", null);
        assertThat(ScriptReplies.texts(null)).isEmpty();
    }
}
