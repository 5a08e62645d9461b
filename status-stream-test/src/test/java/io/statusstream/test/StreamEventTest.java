package io.statusstream.test;

import io.statusstream.core.testing.SseParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamEventTest {

    private static StreamEvent parse(String frames) {
        return StreamEvent.of(new SseParser().feed(frames).events().get(0));
    }

    @Test
    void readsTheEnvelopeWithNestedAndEscapedState() {
        StreamEvent event = parse("id: e1-42\ndata: {\"key\":\"a\\\"b\",\"kind\":\"change\",\"state\":"
                + "{\"s\":\"}{,\",\"n\":[1,{\"x\":null}],\"t\":true}}\n\n");

        assertThat(event.key()).isEqualTo("a\"b");
        assertThat(event.kind()).isEqualTo(StreamEvent.CHANGE);
        assertThat(event.state()).isEqualTo("{\"s\":\"}{,\",\"n\":[1,{\"x\":null}],\"t\":true}");
        assertThat(event.epoch()).isEqualTo("e1");
        assertThat(event.sequence()).isEqualTo(42);
        assertThat(event.isChangeOf("a\"b")).isTrue();
        assertThat(event.isSnapshotOf("a\"b")).isFalse();
    }

    @Test
    void aPingOrForeignDataHasNoEnvelope() {
        StreamEvent ping = parse("event: ping\ndata: \n\n");
        assertThat(ping.isPing()).isTrue();
        assertThat(ping.key()).isNull();
        assertThat(parse("data: not json\n\n").kind()).isNull();
        assertThat(parse("data: {\"key\":\"1\"}\n\n").kind()).as("no kind, no envelope").isNull();
        assertThatThrownBy(() -> parse("data: [1]\n\n").state(json -> json)).isInstanceOf(AssertionError.class);
    }
}
