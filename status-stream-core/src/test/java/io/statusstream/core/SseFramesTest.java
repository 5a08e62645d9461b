package io.statusstream.core;

import io.statusstream.core.testing.SseParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseFramesTest {

    @ParameterizedTest(name = "data {0}")
    @ValueSource(strings = {"{\"status\":\"running\"}", "two\nlines", "\nleading and trailing\n", "\n\n\n",
            " leading space", "  two leading spaces", "data: looks like a field", ": looks like a comment",
            "unicode: €, 日本語, emoji 😀, RTL שלום", "id: 5\nevent: fake", "tab\tand \u0000 nul"})
    void dataArrivesAsTheClientParsesIt(String data) {
        SseParser parser = new SseParser().feed(SseFrames.event("e-1", data));

        assertThat(parser.events()).containsExactly(new SseParser.Event("e-1", "message", data));
    }

    @Test
    void carriageReturnsBecomeLineFeedsBecauseTheFormatCannotCarryThem() {
        SseParser parser = new SseParser().feed(SseFrames.event("e-1", "a\r\nb\rc"));

        assertThat(parser.events()).extracting(SseParser.Event::data).containsExactly("a\nb\nc");
    }

    @Test
    void emptyDataIsOneEmptyDataLineAndStillDispatched() {
        String frame = SseFrames.event("e-1", "");

        assertThat(frame).isEqualTo("id: e-1\ndata: \n\n");
        assertThat(new SseParser().feed(frame).events()).containsExactly(new SseParser.Event("e-1", "message", ""));
    }

    @Test
    void framesSplitAnywhereParseTheSame() {
        String stream = SseFrames.retry(3000) + SseFrames.event("e-1", "a\nb") + SseFrames.heartbeat(15_000)
                + SseFrames.event("e-2", "c");
        SseParser parser = new SseParser();
        for (char c : stream.toCharArray()) {
            parser.feed(String.valueOf(c));
        }

        assertThat(parser.events()).containsExactly(new SseParser.Event("e-1", "message", "a\nb"),
                new SseParser.Event("e-1", "ping", "15000"), new SseParser.Event("e-2", "message", "c"));
        assertThat(parser.retry()).isEqualTo(3000);
    }

    @Test
    void anEndWithARetryHintSetsTheReconnectionTimeBeforeTheEndEventIsDispatched() {
        SseParser parser = new SseParser().feed(SseFrames.retry(3000) + SseFrames.end(EndReason.SHUTDOWN, 1234));

        assertThat(parser.retry()).isEqualTo(1234);
        assertThat(parser.events()).extracting(SseParser.Event::type, SseParser.Event::data)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("end", "{\"reason\":\"shutdown\"}"));
    }

    @Test
    void anIdThatWouldBreakTheFrameIsRefused() {
        assertThatThrownBy(() -> SseFrames.event("e-1\nevent: x", "data"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> SseFrames.retry(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
