package io.statusstream.redis;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

class MemberCallsTest {

    private final RecordingMember member = new RecordingMember("test");
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final MemberCalls<Long> calls = new MemberCalls<>(member, "cluster",
            (call, failure) -> failures.add(call.what() + ": " + failure));

    private static MemberCalls.Call<Long> call(String what, long session) {
        return new MemberCalls.Call<>(what, session, member -> member.hinted(List.of(session)));
    }

    @Test
    void makesTheCallsInTheOrderTheyWereAdded() {
        calls.add(call("first", 1));
        calls.add(call("second", 2));

        calls.drain();

        assertThat(member.calls()).extracting(RecordingMember.Call::argument).containsExactly(List.of(1L), List.of(2L));
    }

    @Test
    void aCallThatThrowsAnErrorIsReportedAndTheCallsAfterItAreStillMade() {
        member.failOnce("hinted", new NoClassDefFoundError("simulated"));
        calls.add(call("first", 1));
        calls.add(call("second", 2));

        calls.drain();

        assertThat(member.calls()).hasSize(2);
        assertThat(failures).containsExactly("first: java.lang.NoClassDefFoundError: simulated");
    }

    @Test
    void logsTheFirstOfASeriesOfFailuresWithItsStackTraceAndTheRestAtDebug() {
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 3; i++) {
                member.failOnce("hinted", new AssertionError("broken " + i));
                calls.add(call("hinted", i));
                calls.drain();
            }

            assertThat(log.atLeast(Level.SEVERE)).singleElement().satisfies(record -> {
                assertThat(record.getThrown()).hasMessage("broken 0");
                assertThat(record.getMessage()).contains("the engine failed to take 'hinted'");
            });
            assertThat(log.atLeast(Level.FINE)).hasSize(3);
        }
    }

    @Test
    void aCallAddedWhileDrainingIsMadeByTheDrainingThreadAfterTheCurrentOne() {
        List<String> order = new ArrayList<>();
        calls.add(new MemberCalls.Call<>("outer", 1, member -> {
            calls.add(new MemberCalls.Call<>("inner", 1, inner -> order.add("inner")));
            calls.drain();
            order.add("outer done");
        }));

        calls.drain();

        assertThat(order).containsExactly("outer done", "inner");
    }
}
