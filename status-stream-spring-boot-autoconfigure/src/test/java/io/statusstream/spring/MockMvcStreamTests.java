package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import io.statusstream.spring.TestApplication.Bot;
import io.statusstream.test.MockMvcStreamClient;
import io.statusstream.test.TestStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** The test kit's MockMvc client: a stream without a server, with the clock driven by the test. */
@SpringBootTest(classes = TestApplication.class)
class MockMvcStreamTests {

    @Autowired
    WebApplicationContext context;
    @Autowired
    ManualStreamScheduler scheduler;
    @Autowired
    InMemoryStateSource<Long, Bot> source;
    @Autowired
    StatusStreams streams;

    MockMvcStreamClient client;

    @BeforeEach
    void client() {
        client = MockMvcStreamClient.of(MockMvcBuilders.webAppContextSetup(context)
                        .addFilters(TestApplication.principalFromHeaderFilter()).build())
                .whileWaiting(scheduler::runDue);
    }

    @Test
    void streamsSnapshotAndChangesAndResumesFromTheLastEventId() {
        source.put(31L, new Bot("mock", "v1"));
        String lastSeen;
        try (TestStream stream = client.open("/api/v1/bots/31/status-stream")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            assertThat(stream.expectSnapshot("31").state()).contains("v1");

            source.put(31L, new Bot("mock", "v2"));
            streams.get("bots").touch(31L);
            assertThat(stream.expectChange("31").state()).contains("v2");
            lastSeen = stream.lastEventId();
        }
        assertThat(streams.get("bots").stats().subscribers()).as("closing completes the request").isZero();

        source.put(31L, new Bot("mock", "v3"));
        streams.get("bots").touch(31L);
        scheduler.runDue();
        try (TestStream resumed = client.open("/api/v1/bots/31/status-stream", lastSeen)) {
            assertThat(resumed.next().isChangeOf("31")).as("the missed change, not a snapshot").isTrue();
            resumed.assertIdsIncreasing();
        }
    }

    @Test
    void aRefusalIsAnsweredWithItsProblemBody() {
        TestStream refused = client.open("/api/v1/bots/998/status-stream");

        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.body()).contains("\"status\":404", "no such key: 998");
        assertThat(refused.ended()).isTrue();
    }
}
