package io.statusstream.spring;

import io.statusstream.core.testing.InMemoryStateSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every configuration mistake the starter finds at startup ends a real application start with Spring Boot's
 * "APPLICATION FAILED TO START" report, whose description and action name the stream or the property as the
 * application writes it, and with no stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureReportTests {

    @Test
    void aStreamWithoutAccessPolicyNamesBothWaysToChooseOne(CapturedOutput output) {
        assertReport(report(output, UnsecuredApplication.class),
                "The stream 'secrets' has no access policy, and streams are not public by default",
                "Call .accessPolicy((principal, keys) -> ...) on its StreamDefinition builder to decide who may watch"
                        + " which keys, or .publicAccess() to let anyone watch every key");
    }

    @Test
    void aStreamWithoutKeyParserSaysWhichParserToAdd(CapturedOutput output) {
        assertReport(report(output, NoKeyParserApplication.class),
                "The stream 'jobs' has no key parser",
                "Call .keyParser(...) on its StreamDefinition builder, e.g. .keyParser(KeyParsers.asciiLong())");
    }

    @Test
    void aStreamBothPublicAndWithPolicyIsAskedToChoose(CapturedOutput output) {
        assertReport(report(output, PublicAndPolicedApplication.class),
                "The stream 'open' already has an access policy; it cannot also be public",
                "Call either .accessPolicy(...) or .publicAccess() on its StreamDefinition builder");
    }

    @Test
    void anUnknownStreamNameUnderStreamsListsTheDeclaredOnes(CapturedOutput output) {
        assertReport(report(output, TestApplication.class, "status-stream.streams.bot.poll-interval=1s"),
                "status-stream.streams configures [bot], but the declared streams are [bots, orders]",
                "Correct the name in status-stream.streams.<name>.* to one of [bots, orders], or remove those"
                        + " settings");
    }

    @Test
    void aZeroPollIntervalIsNamedAsTheApplicationWritesIt(CapturedOutput output) {
        assertReport(report(output, TestApplication.class, "status-stream.poll-interval=0s"),
                "status-stream.poll-interval must be positive, was 0ms",
                "Correct status-stream.poll-interval (it must be positive), or remove it to use the default");
    }

    @Test
    void aPerStreamSettingOutOfRangeIsNamedWithItsStream(CapturedOutput output) {
        assertReport(report(output, TestApplication.class, "status-stream.streams.bots.key-retention=-90s"),
                "status-stream.streams.bots.key-retention must not be negative, was -90s",
                "Correct status-stream.streams.bots.key-retention (it must not be negative)");
        assertReport(report(output, TestApplication.class, "status-stream.streams.orders.max-keys-per-stream=0"),
                "status-stream.streams.orders.max-keys-per-stream must be positive, was 0",
                "Correct status-stream.streams.orders.max-keys-per-stream (it must be positive)");
    }

    @Test
    void everyEngineSettingIsCheckedByTheEnginesRuleAtBinding(CapturedOutput output) {
        assertReport(report(output, TestApplication.class, "status-stream.replay-size=-1"),
                "status-stream.replay-size must not be negative, was -1", "Correct status-stream.replay-size");
        assertReport(report(output, TestApplication.class, "status-stream.batch-size=0"),
                "status-stream.batch-size must be positive, was 0", "Correct status-stream.batch-size");
        assertReport(report(output, TestApplication.class, "status-stream.reconnect-jitter=-1ms"),
                "status-stream.reconnect-jitter must not be negative, was -1ms", "Correct status-stream.reconnect-jitter");
    }

    @Test
    void theStartersOwnLimitsAndBasePathAreNamedToo(CapturedOutput output) {
        assertReport(report(output, TestApplication.class, "status-stream.ready-timeout=0s"),
                "status-stream.ready-timeout must be positive, was 0ms", "Correct status-stream.ready-timeout");
        assertReport(report(output, TestApplication.class, "status-stream.base-path=live/"),
                "status-stream.base-path must start with '/' and not end with '/', was 'live/'",
                "Set status-stream.base-path to a path such as /status-streams");
    }

    @Test
    void credentialsForAnyOriginAreRefusedWithTheFix(CapturedOutput output) {
        assertReport(report(output, TestApplication.class, "status-stream.cors.allowed-origins=*",
                        "status-stream.cors.allow-credentials=true"),
                "status-stream.cors.allowed-origins must not contain '*' when status-stream.cors.allow-credentials"
                        + " is true", "List the origins in status-stream.cors.allowed-origins");
        assertReport(report(output, TestApplication.class, "status-stream.cors.allowed-origin-patterns=https://*",
                        "status-stream.cors.allow-credentials=true"),
                "status-stream.cors.allowed-origin-patterns entry 'https://*' admits any origin",
                "Name your own hosts in status-stream.cors.allowed-origin-patterns");
    }

    @Test
    void twoStreamsAtOnePathAndTwoOfOneNameAreReported(CapturedOutput output) {
        assertReport(report(output, ClashingPathApplication.class),
                "The streams 'bots' and 'other-bots' are both served at /api/v1/bots",
                "Give one of them another path");
        assertReport(report(output, SameNameApplication.class),
                "Two StreamDefinition beans are named 'bots'", "Give each stream a name of its own");
    }

    @Test
    void aStreamWithoutSerializerIsAnalysedWithTheFix() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(StatusStreamAutoConfiguration.class, StatusStreamWebMvcAutoConfiguration.class, WebMvcAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(JsonMapper.class))
                .withUserConfiguration(StatusStreamAutoConfigurationTests.TwoStreams.class)
                .run(context -> {
                    FailureAnalysis analysis = new StatusStreamFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis).isNotNull();
                    assertThat(analysis.getDescription()).contains("The stream 'bots' has no serializer");
                    assertThat(analysis.getAction()).contains("declare an EventSerializerFactory bean");
                });
    }

    /** Starts the application, which must fail, and returns what it logged meanwhile. */
    private static String report(CapturedOutput output, Class<?> application, String... properties) {
        int before = output.length();
        assertThatThrownBy(() -> new SpringApplicationBuilder(application)
                .properties("server.port=0", "spring.main.banner-mode=off")
                .properties(properties)
                .run().close())
                .isInstanceOf(RuntimeException.class);
        return output.toString().substring(before);
    }

    private static void assertReport(String log, String description, String action) {
        assertThat(log).contains("APPLICATION FAILED TO START");
        String report = log.substring(log.indexOf("APPLICATION FAILED TO START"));
        assertThat(report).contains("Description:").contains("Action:");
        assertThat(report.substring(report.indexOf("Description:"), report.indexOf("Action:"))).contains(description);
        assertThat(report.substring(report.indexOf("Action:"))).contains(action);
        assertThat(log).as("a report, not a stack trace").doesNotContain("\tat io.statusstream", "\tat org.springframework");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class UnsecuredApplication {

        @Bean
        StreamDefinition<Long, String> secrets() {
            return StreamDefinition.builder("secrets", new InMemoryStateSource<Long, String>())
                    .keyParser(Long::valueOf).build();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class PublicAndPolicedApplication {

        @Bean
        StreamDefinition<Long, String> open() {
            return StreamDefinition.builder("open", new InMemoryStateSource<Long, String>()).keyParser(Long::valueOf)
                    .accessPolicy((principal, keys) -> AccessDecision.ALLOW).publicAccess().build();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class NoKeyParserApplication {

        @Bean
        StreamDefinition<Long, String> jobs() {
            return StreamDefinition.builder("jobs", new InMemoryStateSource<Long, String>()).publicAccess().build();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TestApplication.class)
    static class ClashingPathApplication {

        @Bean
        StreamDefinition<Long, String> otherBots() {
            return StreamDefinition.builder("other-bots", new InMemoryStateSource<Long, String>())
                    .path("/api/v1/bots").keyParser(Long::valueOf).publicAccess().build();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(TestApplication.class)
    static class SameNameApplication {

        @Bean
        StreamDefinition<Long, String> moreBots() {
            return StreamDefinition.builder("bots", new InMemoryStateSource<Long, String>())
                    .path("/api/v2/bots").keyParser(Long::valueOf).publicAccess().build();
        }
    }
}
