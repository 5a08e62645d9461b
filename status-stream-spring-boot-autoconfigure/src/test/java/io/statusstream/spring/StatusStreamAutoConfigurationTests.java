package io.statusstream.spring;

import io.statusstream.core.Frames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.statusstream.core.CloseReason;
import io.statusstream.core.EventSerializer;
import io.statusstream.core.EventSink;
import io.statusstream.core.StatusStream;
import io.statusstream.core.StatusStreamBuilder;
import io.statusstream.core.testing.InMemoryStateSource;
import io.statusstream.core.testing.ManualStreamScheduler;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.servlet.HandlerExecutionChain;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StatusStreamAutoConfigurationTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StatusStreamAutoConfiguration.class, StatusStreamWebMvcAutoConfiguration.class,
                    JacksonAutoConfiguration.class, WebMvcAutoConfiguration.class));

    @Test
    void startsOneStreamPerDefinitionAndMapsItsTwoEndpoints() {
        runner.withUserConfiguration(TwoStreams.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(StatusStreams.class);
            StatusStreams streams = context.getBean(StatusStreams.class);
            assertThat(streams.names()).containsExactly("bots", "jobs");
            StreamDefinition<?, ?> bots = context.getBean("bots", StreamDefinition.class);
            assertThat(streams.get(bots).name()).isEqualTo("bots");

            StatusStreamHandlerMapping mapping = context.getBean(StatusStreamHandlerMapping.class);
            assertThat(handlerFor(mapping, "/api/v1/bots/7/status-stream")).isNotNull();
            assertThat(handlerFor(mapping, "/api/v1/bots/status-stream")).isNotNull();
            assertThat(handlerFor(mapping, "/status-streams/jobs/a/status-stream"))
                    .as("a definition without a path is served under the base path").isNotNull();
            assertThat(handlerFor(mapping, "/api/v1/bots/7")).isNull();
        });
    }

    @Test
    void servesStreamsWithoutOwnPathUnderTheConfiguredBasePath() {
        runner.withUserConfiguration(TwoStreams.class).withPropertyValues("status-stream.base-path=/live")
                .run(context -> assertThat(handlerFor(context.getBean(StatusStreamHandlerMapping.class),
                        "/live/jobs/a/status-stream")).isNotNull());
    }

    @Test
    void leavesEngineSettingsToTheEngineDefaultsWhenNothingIsConfigured() {
        runner.withUserConfiguration(TwoStreams.class).run(context -> {
            StatusStreamProperties properties = context.getBean(StatusStreamProperties.class);
            StatusStreamProperties.Stream bots = properties.settingsFor("bots");
            assertThat(bots.pollInterval()).isNull();
            assertThat(bots.heartbeatInterval()).isNull();
            assertThat(bots.maxKeysPerStream()).isEqualTo(100);
            assertThat(properties.maxConnections()).isEqualTo(10_000);
            assertThat(properties.maxConnectionsPerPrincipal()).isEqualTo(32);
            assertThat(properties.readyTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(properties.cors().isEnabled()).isFalse();
        });
    }

    @Test
    void bindsPropertiesWithPerStreamOverrides() {
        runner.withUserConfiguration(TwoStreams.class).withPropertyValues(
                "status-stream.poll-interval=500ms",
                "status-stream.heartbeat-interval=5s",
                "status-stream.max-keys-per-stream=20",
                "status-stream.streams.jobs.poll-interval=10s",
                "status-stream.streams.jobs.max-keys-per-stream=3",
                "status-stream.cors.allowed-origins=https://app.example.com",
                "status-stream.cors.allow-credentials=true").run(context -> {
            StatusStreamProperties properties = context.getBean(StatusStreamProperties.class);
            assertThat(properties.settingsFor("bots").pollInterval()).isEqualTo(Duration.ofMillis(500));
            assertThat(properties.settingsFor("jobs").pollInterval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(properties.settingsFor("jobs").heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(properties.settingsFor("bots").maxKeysPerStream()).isEqualTo(20);
            assertThat(properties.settingsFor("jobs").maxKeysPerStream()).isEqualTo(3);
            assertThat(properties.cors().allowedOrigins()).containsExactly("https://app.example.com");
            assertThat(properties.cors().allowCredentials()).isTrue();
        });
    }

    @Test
    void givesEachEngineItsConfiguredSettingsPerStreamOverridesFirst() {
        runner.withUserConfiguration(ManuallyTimedStreams.class).withPropertyValues(
                "status-stream.poll-interval=5s",
                "status-stream.reconnect-delay=7s",
                "status-stream.reconnect-jitter=0s",
                "status-stream.streams.slow.poll-interval=20s").run(context -> {
            ManualStreamScheduler scheduler = context.getBean(ManualStreamScheduler.class);
            @SuppressWarnings("unchecked")
            InMemoryStateSource<Long, String> source = context.getBean(InMemoryStateSource.class);
            StatusStreams streams = context.getBean(StatusStreams.class);
            List<String> fastFrames = new CopyOnWriteArrayList<>();
            streams.<Long, String>get("fast").subscribe(List.of(1L), null, recording(fastFrames));
            streams.<Long, String>get("slow").subscribe(List.of(1L), null, recording(new CopyOnWriteArrayList<>()));
            scheduler.runDue();
            int loaded = source.callCount();

            scheduler.advance(Duration.ofSeconds(5));
            assertThat(source.callCount()).as("fast polls every 5 s, slow not yet").isEqualTo(loaded + 1);
            scheduler.advance(Duration.ofSeconds(15));
            assertThat(source.callCount()).as("fast 4 times, slow once in 20 s").isEqualTo(loaded + 5);
            await().atMost(Duration.ofSeconds(10)).until(() -> !fastFrames.isEmpty());
            assertThat(fastFrames.get(0)).startsWith("retry: 7000\n");
        });
    }

    private static EventSink recording(List<String> frames) {
        return new EventSink() {
            @Override
            public void write(Frames written) {
                String text = written.toString();
                frames.add(text);
            }

            @Override
            public void close(CloseReason reason) {
            }
        };
    }

    @Test
    void refusesToStartAStreamThatHasNeitherAccessPolicyNorPublicAccess() {
        runner.withUserConfiguration(UnsecuredStream.class).run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stream 'secrets' has no access policy")
                .hasMessageContaining(".accessPolicy((principal, keys) -> ...)")
                .hasMessageContaining(".publicAccess()"));
    }

    @Test
    void refusesCorsWithAnyOriginTogetherWithCredentials() {
        runner.withUserConfiguration(TwoStreams.class).withPropertyValues(
                "status-stream.cors.allowed-origins=*", "status-stream.cors.allow-credentials=true")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("must not contain '*' when status-stream.cors.allow-credentials is true"));
    }

    @Test
    void refusesOverridesForAStreamThatIsNotDeclared() {
        runner.withUserConfiguration(TwoStreams.class)
                .withPropertyValues("status-stream.streams.bot.poll-interval=1s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("status-stream.streams configures [bot]")
                        .hasMessageContaining("[bots, jobs]"));
    }

    @Test
    void refusesTwoStreamsAtTheSamePath() {
        runner.withUserConfiguration(TwoStreams.class, ClashingStream.class)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("are both served at /api/v1/bots"));
    }

    @Test
    void configuresNothingOutsideAServletWebApplication() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(StatusStreamAutoConfiguration.class, StatusStreamWebMvcAutoConfiguration.class))
                .withUserConfiguration(TwoStreams.class)
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(StatusStreams.class)
                        .doesNotHaveBean(StatusStreamHandlerMapping.class));
    }

    @Test
    void serializesWithTheApplicationsJsonMapperIntoTheWireEnvelope() {
        runner.withUserConfiguration(TwoStreams.class).run(context -> {
            EventSerializerFactory factory = context.getBean(EventSerializerFactory.class);
            StreamDefinition<String, Map<String, Object>> definition =
                    StreamDefinition.builder("x", (java.util.Collection<String> keys) -> Map.<String, Map<String, Object>>of())
                            .keyParser(key -> key).publicAccess().build();
            EventSerializer<String, Map<String, Object>> serializer = factory.create(definition);
            assertThat(serializer.serialize(new io.statusstream.core.StateEvent<>("e-1", "k\"1",
                    io.statusstream.core.StateEvent.Kind.CHANGE, Map.of("pnl", 1.5))))
                    .isEqualTo("{\"key\":\"k\\\"1\",\"kind\":\"change\",\"state\":{\"pnl\":1.5}}");
        });
    }

    @Test
    void backsOffWhenTheApplicationDeclaresItsOwnSerializerFactoryAndMetrics() {
        runner.withUserConfiguration(TwoStreams.class, OwnBeans.class).run(context -> {
            assertThat(context).hasSingleBean(EventSerializerFactory.class).hasSingleBean(StatusStreamMetrics.class);
            assertThat(context.getBean(EventSerializerFactory.class)).isSameAs(context.getBean("ownSerializers"));
            assertThat(context.getBean(StatusStreamMetrics.class)).isSameAs(StatusStreamMetrics.NONE);
        });
    }

    @Test
    void withoutJacksonAStreamWithoutSerializerFailsStartupWithTheFix() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(StatusStreamAutoConfiguration.class, StatusStreamWebMvcAutoConfiguration.class, WebMvcAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(JsonMapper.class))
                .withUserConfiguration(TwoStreams.class)
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("has no serializer")
                        .hasMessageContaining("EventSerializerFactory"));
    }

    @Test
    void bindsMicrometerMetersWhenAMeterRegistryExists() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class)
                .withUserConfiguration(TwoStreams.class).run(context -> {
                    assertThat(context).hasSingleBean(StatusStreamMetrics.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("status.stream.subscribers").tag("stream", "bots").gauge().value()).isZero();
                    assertThat(registry.get("status.stream.polls").tag("stream", "jobs").timer()).isNotNull();
                });
    }

    @Test
    void registersNoClusterMetersForStreamsInLocalMode() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class)
                .withUserConfiguration(TwoStreams.class).run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("status.stream.subscribers").gauges()).hasSize(2);
                    assertThat(registry.getMeters()).extracting(meter -> meter.getId().getName())
                            .noneMatch(name -> name.startsWith("status.stream.cluster."));
                });
    }

    @Test
    void registersClusterMetersForStreamsInClusterMode() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class)
                .withUserConfiguration(TwoStreams.class, UnreachableClusterConfiguration.class).run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(context.getBean(StatusStreams.class).get("bots").stats().mode())
                            .isEqualTo(io.statusstream.core.StreamStats.Mode.LOCAL_FALLBACK);
                    assertThat(registry.get("status.stream.cluster.shared").tag("stream", "bots").gauge().value())
                            .as("not fanning out from the shared log while the cluster is unreachable").isZero();
                    assertThat(registry.get("status.stream.cluster.poller").tag("stream", "bots").gauge().value())
                            .isZero();
                    assertThat(registry.find("status.stream.cluster.mode.changes").tag("stream", "bots").counters())
                            .as("one per mode, from the start").hasSize(4);
                    assertThat(registry.find("status.stream.cluster.shared").tag("stream", "jobs").gauges())
                            .as("the factory kept jobs local").isEmpty();
                });
    }

    /** Puts the stream bots in cluster mode with a cluster that is never reachable; keeps every other stream local. */
    @Configuration(proxyBeanMethods = false)
    static class UnreachableClusterConfiguration {

        @Bean
        StreamClusterFactory unreachableCluster() {
            return new StreamClusterFactory() {
                @Override
                public <K, S> io.statusstream.core.StreamCluster<K> create(StreamDefinition<K, S> definition,
                                                                           Duration pollInterval, int replaySize) {
                    return definition.name().equals("bots") ? new UnreachableCluster<>() : null;
                }
            };
        }
    }

    /** A cluster whose lease nobody gets and whose log never answers: the stream stays in local fallback. */
    static final class UnreachableCluster<K> implements io.statusstream.core.StreamCluster<K> {

        @Override
        public void start(Member<K> member) {
        }

        @Override
        public long leaderToken() {
            return 0;
        }

        @Override
        public Round<K> beginRound(long token) {
            throw new LeadershipLostException("unreachable");
        }

        @Override
        public Map<K, List<io.statusstream.core.SharedEvent<K>>> history(java.util.Collection<? extends K> keys,
                                                                         int perKey) {
            return Map.of();
        }

        @Override
        public void append(long token, List<io.statusstream.core.SharedEvent<K>> events) {
            throw new LeadershipLostException("unreachable");
        }

        @Override
        public void completeRound(long token, Round<K> round) {
        }

        @Override
        public void forget(long token, java.util.Collection<? extends K> keys) {
        }

        @Override
        public void hint(java.util.Collection<? extends K> keys) {
        }

        @Override
        public void load(java.util.Collection<? extends K> keys) {
        }

        @Override
        public java.util.Set<K> watchedAmong(long token, java.util.Collection<? extends K> keys) {
            return java.util.Set.of();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void hasNoMetersWithoutAMeterRegistry() {
        runner.withUserConfiguration(TwoStreams.class)
                .run(context -> assertThat(context).doesNotHaveBean(StatusStreamMetrics.class));
    }

    @Test
    void contributesHealthUnlessActuatorIsAbsentOrTheIndicatorDisabled() {
        runner.withUserConfiguration(TwoStreams.class)
                .run(context -> assertThat(context).hasBean("statusStreamHealthIndicator"));
        runner.withUserConfiguration(TwoStreams.class)
                .withPropertyValues("management.health.status-stream.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("statusStreamHealthIndicator"));
        runner.withUserConfiguration(TwoStreams.class)
                .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("statusStreamHealthIndicator"));
    }

    @Test
    void closesEveryStreamWhenTheContextCloses() {
        runner.withUserConfiguration(TwoStreams.class).run(context -> {
            StatusStream<Object, Object> bots = context.getBean(StatusStreams.class).get("bots");
            context.close();
            org.assertj.core.api.Assertions.assertThatIllegalStateException()
                    .isThrownBy(() -> bots.subscribe(List.of(1L), null, new EventSink() {
                        @Override
                        public void write(Frames written) {
                            String frames = written.toString();
                        }

                        @Override
                        public void close(CloseReason reason) {
                        }
                    }));
        });
    }

    @Test
    void metadataShowsTheEngineDefaultsOfStatusStreamBuilder() throws Exception {
        Map<String, Object> defaults = new java.util.HashMap<>();
        var metadata = JsonMapper.shared().readTree(getClass().getResourceAsStream(
                "/META-INF/spring-configuration-metadata.json"));
        for (var property : metadata.get("properties")) {
            if (property.has("defaultValue")) {
                defaults.put(property.get("name").asString(), property.get("defaultValue").isNumber()
                        ? property.get("defaultValue").asInt() : property.get("defaultValue").asString());
            }
        }
        assertThat(duration(defaults, "poll-interval")).isEqualTo(StatusStreamBuilder.DEFAULT_POLL_INTERVAL);
        assertThat(defaults.get("status-stream.batch-size")).isEqualTo(StatusStreamBuilder.DEFAULT_BATCH_SIZE);
        assertThat(duration(defaults, "heartbeat-interval")).isEqualTo(StatusStreamBuilder.DEFAULT_HEARTBEAT_INTERVAL);
        assertThat(defaults.get("status-stream.replay-size")).isEqualTo(StatusStreamBuilder.DEFAULT_REPLAY_SIZE);
        assertThat(duration(defaults, "replay-max-age")).isEqualTo(StatusStreamBuilder.DEFAULT_REPLAY_MAX_AGE);
        assertThat(defaults.get("status-stream.max-queued-events")).isEqualTo(StatusStreamBuilder.DEFAULT_MAX_QUEUED_EVENTS);
        assertThat(duration(defaults, "stuck-client-timeout")).isEqualTo(StatusStreamBuilder.DEFAULT_STUCK_CLIENT_TIMEOUT);
        assertThat(duration(defaults, "key-retention")).isEqualTo(StatusStreamBuilder.DEFAULT_KEY_RETENTION);
        assertThat(duration(defaults, "max-backoff")).isEqualTo(StatusStreamBuilder.DEFAULT_MAX_BACKOFF);
        assertThat(duration(defaults, "reconnect-delay")).isEqualTo(StatusStreamBuilder.DEFAULT_RECONNECT_DELAY);
        assertThat(duration(defaults, "reconnect-jitter")).isEqualTo(StatusStreamBuilder.DEFAULT_RECONNECT_JITTER);
    }

    private static Duration duration(Map<String, Object> defaults, String property) {
        Object value = defaults.get("status-stream." + property);
        assertThat(value).as("default of status-stream." + property).isNotNull();
        return org.springframework.boot.convert.DurationStyle.detectAndParse(value.toString());
    }

    private static Object handlerFor(StatusStreamHandlerMapping mapping, String path) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
        HandlerExecutionChain chain = mapping.getHandler(request);
        return chain == null ? null : chain.getHandler();
    }

    @Test
    void statusStreamsMayBeInjectedWhereTheDefinitionIsDeclaredAndByBeansItNeeds() {
        runner.withUserConfiguration(TouchWhereDeclared.class).run(context -> {
            assertThat(context).as("no dependency cycle").hasNotFailed();
            TouchWhereDeclared.Bots bots = context.getBean(TouchWhereDeclared.Bots.class);
            assertThat(bots.saveAndTouch(7L).name()).isEqualTo("bots");
            assertThat(context.getBean(TouchWhereDeclared.class).touch(8L).name()).isEqualTo("bots");
        });
    }

    /** The README's pattern: the configuration that declares the stream injects StatusStreams, as does its policy. */
    @Configuration(proxyBeanMethods = false)
    static class TouchWhereDeclared {

        private final StatusStreams streams;

        TouchWhereDeclared(StatusStreams streams) {
            this.streams = streams;
        }

        /** An application service: the definition's access policy asks it, and it touches after its writes. */
        record Bots(StatusStreams streams) {
            boolean owns(java.util.Set<Long> keys) {
                return true;
            }

            StatusStream<Long, String> saveAndTouch(long key) {
                StatusStream<Long, String> stream = streams.get("bots");
                stream.touch(key);
                return stream;
            }
        }

        @Bean
        Bots botService(StatusStreams streams) {
            return new Bots(streams);
        }

        @Bean
        StreamDefinition<Long, String> botStream(Bots bots) {
            return StreamDefinition.builder("bots", new InMemoryStateSource<Long, String>())
                    .keyParser(Long::valueOf)
                    .accessPolicy((principal, keys) -> bots.owns(keys) ? AccessDecision.ALLOW : AccessDecision.DENY)
                    .build();
        }

        StatusStream<Long, String> touch(long key) {
            StatusStream<Long, String> stream = streams.get("bots");
            stream.touch(key);
            return stream;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoStreams {

        @Bean
        StreamDefinition<Long, String> bots() {
            return StreamDefinition.builder("bots", new InMemoryStateSource<Long, String>())
                    .path("/api/v1/bots").keyParser(Long::valueOf).publicAccess().build();
        }

        @Bean
        StreamDefinition<String, String> jobs() {
            return StreamDefinition.builder("jobs", new InMemoryStateSource<String, String>())
                    .keyParser(key -> key)
                    .accessPolicy((principal, keys) -> AccessDecision.ALLOW)
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ManuallyTimedStreams {

        @Bean
        ManualStreamScheduler scheduler() {
            return new ManualStreamScheduler();
        }

        @Bean
        InMemoryStateSource<Long, String> source() {
            return new InMemoryStateSource<Long, String>().put(1L, "one");
        }

        @Bean
        StreamDefinition<Long, String> fast(InMemoryStateSource<Long, String> source, ManualStreamScheduler scheduler) {
            return StreamDefinition.builder("fast", source).keyParser(Long::valueOf).publicAccess()
                    .scheduler(scheduler).build();
        }

        @Bean
        StreamDefinition<Long, String> slow(InMemoryStateSource<Long, String> source, ManualStreamScheduler scheduler) {
            return StreamDefinition.builder("slow", source).keyParser(Long::valueOf).publicAccess()
                    .scheduler(scheduler).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UnsecuredStream {

        @Bean
        StreamDefinition<Long, String> secrets() {
            return StreamDefinition.builder("secrets", new InMemoryStateSource<Long, String>())
                    .keyParser(Long::valueOf).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ClashingStream {

        @Bean
        StreamDefinition<Long, String> otherBots() {
            return StreamDefinition.builder("other-bots", new InMemoryStateSource<Long, String>())
                    .path("/api/v1/bots").keyParser(Long::valueOf).publicAccess().build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {

        @Bean
        EventSerializerFactory ownSerializers() {
            return new EventSerializerFactory() {
                @Override
                public <K, S> EventSerializer<K, S> create(StreamDefinition<K, S> definition) {
                    return EventSerializer.stateToString();
                }
            };
        }

        @Bean
        StatusStreamMetrics ownMetrics() {
            return StatusStreamMetrics.NONE;
        }
    }
}
