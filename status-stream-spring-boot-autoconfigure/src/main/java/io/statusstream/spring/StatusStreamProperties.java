package io.statusstream.spring;

import io.statusstream.core.StatusStream;
import io.statusstream.core.StatusStreamBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.web.cors.CorsConfiguration;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Configuration of the status streams of an application, under status-stream.
 *
 * <p>Engine settings left unset take the engine's defaults ({@link StatusStreamBuilder}.DEFAULT_*, shown in
 * the generated metadata); each may be overridden for one stream under {@code status-stream.streams.<name>}.
 * Immutable.
 *
 * @param basePath                   Path under which a stream without its own path is served, followed by
 *                                   {@code /<name>}
 * @param pollInterval               How often every watched key is fetched
 * @param batchSize                  Most keys per source call
 * @param heartbeatInterval          Interval of ping events on idle streams; also how often stuck clients
 *                                   are looked for
 * @param replaySize                 Changes retained per key for Last-Event-ID replay; 0 turns replay off
 * @param replayMaxAge               How long a change stays replayable
 * @param maxQueuedEvents            Most events a replay may queue for one client; a longer replay is sent as
 *                                   snapshots
 * @param stuckClientTimeout         How long a client may make no write progress before it is closed
 * @param keyRetention               How long a key stays watched after its last subscriber left
 * @param maxBackoff                 Longest wait between polls while the source keeps failing
 * @param reconnectDelay             The SSE retry hint: how long a browser waits before reconnecting; also
 *                                   the basis of Retry-After on refused connections
 * @param reconnectJitter            Random extra reconnect delay, drawn per client, so that clients cut together do
 *                                   not reconnect together
 * @param readyTimeout               How long a new stream request may wait for the first state of its keys (the
 *                                   source is slow or down) before it is answered with 503
 * @param maxConnections             Most open streams of the application, all streams together; more are refused
 *                                   with 503 and Retry-After
 * @param maxConnectionsPerPrincipal Most open streams of one principal, all streams together; more are refused with
 *                                   429 and Retry-After. Requests without a principal count only against
 *                                   the global limit
 * @param maxKeysPerStream           Most keys of one multi-key request (?ids=); more are refused with 400
 * @param cors                       Cross-origin access to the stream endpoints; off unless origins are configured
 * @param accessRecheckInterval      How often the keys of every open stream are checked again against its access
 *                                   policy; keys no longer allowed are revoked. 0 turns the periodic re-check off
 * @param health                     How the health contributor judges how fresh each stream is
 * @param shutdown                   How the streams end when the application shuts down
 * @param streams                    Overrides for single streams, by the name of their StreamDefinition, e.g.
 *                                   status-stream.streams.bots.poll-interval for the stream bots: every engine setting
 *                                   above from poll-interval to reconnect-jitter, and max-keys-per-stream. Unset ones
 *                                   fall back to the status-stream.* value
 */
@ConfigurationProperties("status-stream")
public record StatusStreamProperties(
        @DefaultValue("/status-streams") String basePath,
        Duration pollInterval,
        Integer batchSize,
        Duration heartbeatInterval,
        Integer replaySize,
        Duration replayMaxAge,
        Integer maxQueuedEvents,
        Duration stuckClientTimeout,
        Duration keyRetention,
        Duration maxBackoff,
        Duration reconnectDelay,
        Duration reconnectJitter,
        @DefaultValue("10s") Duration readyTimeout,
        @DefaultValue("10000") int maxConnections,
        @DefaultValue("32") int maxConnectionsPerPrincipal,
        @DefaultValue("100") int maxKeysPerStream,
        @DefaultValue Cors cors,
        @DefaultValue("1m") Duration accessRecheckInterval,
        @DefaultValue HealthCheck health,
        @DefaultValue Shutdown shutdown,
        Map<String, Stream> streams) {

    /** A stream is stale, unless {@code status-stream.health.max-staleness} says otherwise, after this many polls. */
    static final int DEFAULT_STALE_POLL_INTERVALS = 3;

    /**
     * Checks every setting, so that a mistake fails the binding of {@code status-stream.*} with the property named as
     * written. Engine settings are checked by the engine's own rules ({@link StatusStreamBuilder}), so the two
     * cannot disagree.
     *
     * @param basePath                   starts with {@code /} and does not end with one
     * @param pollInterval               or {@code null} for {@link StatusStreamBuilder#DEFAULT_POLL_INTERVAL}
     * @param batchSize                  or {@code null} for {@link StatusStreamBuilder#DEFAULT_BATCH_SIZE}
     * @param heartbeatInterval          or {@code null} for {@link StatusStreamBuilder#DEFAULT_HEARTBEAT_INTERVAL}
     * @param replaySize                 or {@code null} for {@link StatusStreamBuilder#DEFAULT_REPLAY_SIZE}
     * @param replayMaxAge               or {@code null} for {@link StatusStreamBuilder#DEFAULT_REPLAY_MAX_AGE}
     * @param maxQueuedEvents            or {@code null} for {@link StatusStreamBuilder#DEFAULT_MAX_QUEUED_EVENTS}
     * @param stuckClientTimeout         or {@code null} for {@link StatusStreamBuilder#DEFAULT_STUCK_CLIENT_TIMEOUT}
     * @param keyRetention               or {@code null} for {@link StatusStreamBuilder#DEFAULT_KEY_RETENTION}
     * @param maxBackoff                 or {@code null} for {@link StatusStreamBuilder#DEFAULT_MAX_BACKOFF}
     * @param reconnectDelay             or {@code null} for {@link StatusStreamBuilder#DEFAULT_RECONNECT_DELAY}
     * @param reconnectJitter            or {@code null} for {@link StatusStreamBuilder#DEFAULT_RECONNECT_JITTER}
     * @param readyTimeout               positive
     * @param maxConnections             positive
     * @param maxConnectionsPerPrincipal positive
     * @param maxKeysPerStream           positive
     * @param cors                       never {@code null}
     * @param accessRecheckInterval      zero (off) or positive
     * @param health                     never {@code null}; its maximum staleness, if set, longer than the poll
     *                                   interval of every stream
     * @param shutdown                   never {@code null}
     * @param streams                    overrides by stream name, or {@code null} for none; copied
     * @throws StatusStreamConfigurationException if a setting is out of range
     */
    public StatusStreamProperties {
        if (!basePath.startsWith("/") || basePath.endsWith("/")) {
            throw new StatusStreamConfigurationException("status-stream.base-path must start with '/' and not end"
                    + " with '/', was '" + basePath + "'", "Set status-stream.base-path to a path such as"
                    + " /status-streams, or remove it to use the default");
        }
        requirePositive(readyTimeout, "status-stream.ready-timeout");
        requirePositive(maxConnections, "status-stream.max-connections");
        requirePositive(maxConnectionsPerPrincipal, "status-stream.max-connections-per-principal");
        requirePositive(maxKeysPerStream, "status-stream.max-keys-per-stream");
        if (accessRecheckInterval.isNegative()) {
            throw outOfRange("status-stream.access-recheck-interval", "must not be negative (0 turns it off)",
                    accessRecheckInterval);
        }
        streams = streams == null ? Map.of() : Map.copyOf(streams);
        checkEngineSettings("status-stream.", new Stream(pollInterval, batchSize, heartbeatInterval, replaySize,
                replayMaxAge, maxQueuedEvents, stuckClientTimeout, keyRetention, maxBackoff, reconnectDelay,
                reconnectJitter, null));
        streams.forEach((name, own) -> {
            String prefix = "status-stream.streams." + name + ".";
            checkEngineSettings(prefix, own);
            if (own.maxKeysPerStream() != null) {
                requirePositive(own.maxKeysPerStream(), prefix + "max-keys-per-stream");
            }
        });
        if (health.maxStaleness() != null) {
            requireLongerThanPolls(health.maxStaleness(), or(pollInterval, StatusStreamBuilder.DEFAULT_POLL_INTERVAL),
                    "status-stream.poll-interval");
            streams.forEach((name, own) -> {
                if (own.pollInterval() != null) {
                    requireLongerThanPolls(health.maxStaleness(), own.pollInterval(),
                            "status-stream.streams." + name + ".poll-interval");
                }
            });
        }
    }

    /**
     * How old what a stream last fetched may be before its health reports it stale.
     *
     * @param name the stream's name
     * @return {@code status-stream.health.max-staleness}, else {@value #DEFAULT_STALE_POLL_INTERVALS} of the
     *         stream's poll intervals
     */
    Duration maxStalenessFor(String name) {
        if (health.maxStaleness() != null) {
            return health.maxStaleness();
        }
        Duration interval = or(settingsFor(name).pollInterval(), StatusStreamBuilder.DEFAULT_POLL_INTERVAL);
        return interval.multipliedBy(DEFAULT_STALE_POLL_INTERVALS);
    }

    /** A stream polled every interval is that old just before each poll: a shorter limit would call it stale. */
    private static void requireLongerThanPolls(Duration maxStaleness, Duration pollInterval, String intervalProperty) {
        if (maxStaleness.compareTo(pollInterval) <= 0) {
            throw new StatusStreamConfigurationException("status-stream.health.max-staleness must be longer than "
                    + intervalProperty + " (" + asWritten(pollInterval) + "), was " + asWritten(maxStaleness),
                    "Set status-stream.health.max-staleness to a few poll intervals, or remove it to use "
                            + DEFAULT_STALE_POLL_INTERVALS + " poll intervals of each stream");
        }
    }

    /** The engine settings of one stream: its overrides, else the values set here, else null (engine default). */
    Stream settingsFor(String name) {
        Stream own = streams.get(name);
        if (own == null) {
            own = new Stream(null, null, null, null, null, null, null, null, null, null, null, null);
        }
        return new Stream(
                or(own.pollInterval(), pollInterval),
                or(own.batchSize(), batchSize),
                or(own.heartbeatInterval(), heartbeatInterval),
                or(own.replaySize(), replaySize),
                or(own.replayMaxAge(), replayMaxAge),
                or(own.maxQueuedEvents(), maxQueuedEvents),
                or(own.stuckClientTimeout(), stuckClientTimeout),
                or(own.keyRetention(), keyRetention),
                or(own.maxBackoff(), maxBackoff),
                or(own.reconnectDelay(), reconnectDelay),
                or(own.reconnectJitter(), reconnectJitter),
                or(own.maxKeysPerStream(), maxKeysPerStream));
    }

    private static <T> T or(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    private static void requirePositive(int value, String property) {
        if (value <= 0) {
            throw outOfRange(property, "must be positive", value);
        }
    }

    private static void requirePositive(Duration value, String property) {
        if (value.isNegative() || value.isZero()) {
            throw outOfRange(property, "must be positive", value);
        }
    }

    /** Puts each engine setting that is set under {@code prefix} to a builder of its own, which checks it. */
    private static void checkEngineSettings(String prefix, Stream settings) {
        check(prefix + "poll-interval", settings.pollInterval(), StatusStreamBuilder::pollInterval);
        check(prefix + "batch-size", settings.batchSize(), StatusStreamBuilder::batchSize);
        check(prefix + "heartbeat-interval", settings.heartbeatInterval(), StatusStreamBuilder::heartbeatInterval);
        check(prefix + "replay-size", settings.replaySize(),
                (builder, size) -> builder.replay(size, StatusStreamBuilder.DEFAULT_REPLAY_MAX_AGE));
        check(prefix + "replay-max-age", settings.replayMaxAge(),
                (builder, age) -> builder.replay(StatusStreamBuilder.DEFAULT_REPLAY_SIZE, age));
        check(prefix + "max-queued-events", settings.maxQueuedEvents(), StatusStreamBuilder::maxQueuedEvents);
        check(prefix + "stuck-client-timeout", settings.stuckClientTimeout(), StatusStreamBuilder::stuckClientTimeout);
        check(prefix + "key-retention", settings.keyRetention(), StatusStreamBuilder::keyRetention);
        check(prefix + "max-backoff", settings.maxBackoff(), StatusStreamBuilder::maxBackoff);
        check(prefix + "reconnect-delay", settings.reconnectDelay(),
                (builder, delay) -> builder.reconnectDelay(delay, StatusStreamBuilder.DEFAULT_RECONNECT_JITTER));
        check(prefix + "reconnect-jitter", settings.reconnectJitter(),
                (builder, jitter) -> builder.reconnectDelay(StatusStreamBuilder.DEFAULT_RECONNECT_DELAY, jitter));
    }

    private static <T> void check(String property, T value, BiConsumer<StatusStreamBuilder<Object, Object>, T> setting) {
        if (value == null) {
            return;
        }
        try {
            // A builder only records its settings; nothing starts until build(), which is never called here.
            setting.accept(StatusStream.builder(keys -> Map.of()), value);
        } catch (IllegalArgumentException refused) {
            throw outOfRange(property, rule(refused.getMessage()), value);
        }
    }

    /** A duration as a property would say it, in its largest whole unit: 0ms, -1s, 90s, 5m. */
    private static String asWritten(Duration duration) {
        for (ChronoUnit unit : List.of(ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES, ChronoUnit.SECONDS)) {
            if (!duration.isZero() && duration.toMillis() % unit.getDuration().toMillis() == 0) {
                return DurationStyle.SIMPLE.print(duration, unit);
            }
        }
        return DurationStyle.SIMPLE.print(duration, ChronoUnit.MILLIS);
    }

    /** "must be positive" out of the engine's "pollInterval must be positive, was PT0S"; else its whole message. */
    private static String rule(String message) {
        int start = message == null ? -1 : message.indexOf(" must ");
        if (start < 0) {
            return "is refused by the engine (" + message + ")";
        }
        int end = message.indexOf(", was ", start);
        return message.substring(start + 1, end < 0 ? message.length() : end);
    }

    private static StatusStreamConfigurationException outOfRange(String property, String rule, Object value) {
        String shown = value instanceof Duration duration ? asWritten(duration) : String.valueOf(value);
        return new StatusStreamConfigurationException(property + " " + rule + ", was " + shown,
                "Correct " + property + " (it " + rule + "), or remove it to use the default");
    }

    /**
     * Overrides for one stream; anything unset falls back to the status-stream.* value.
     *
     * @param pollInterval       How often every watched key of this stream is fetched
     * @param batchSize          Most keys per source call
     * @param heartbeatInterval  Interval of ping events on idle streams
     * @param replaySize         Changes retained per key for Last-Event-ID replay
     * @param replayMaxAge       How long a change stays replayable
     * @param maxQueuedEvents    Most events a replay may queue for one client
     * @param stuckClientTimeout How long a client may make no write progress before it is closed
     * @param keyRetention       How long a key stays watched after its last subscriber left
     * @param maxBackoff         Longest wait between polls while the source keeps failing
     * @param reconnectDelay     The SSE retry hint
     * @param reconnectJitter    Random extra reconnect delay, drawn per client
     * @param maxKeysPerStream   Most keys of one multi-key request
     */
    public record Stream(
            Duration pollInterval,
            Integer batchSize,
            Duration heartbeatInterval,
            Integer replaySize,
            Duration replayMaxAge,
            Integer maxQueuedEvents,
            Duration stuckClientTimeout,
            Duration keyRetention,
            Duration maxBackoff,
            Duration reconnectDelay,
            Duration reconnectJitter,
            Integer maxKeysPerStream) {
    }

    /**
     * How the health contributor ({@code statusStream}) judges how fresh each stream is. A stream is stale when what
     * it last fetched is older than the maximum staleness: its source hangs, or polls overrun their interval, which
     * no failure reports. A stream whose source fails is {@code DOWN} whatever its staleness.
     *
     * @param maxStaleness How old what a stream last fetched may be (the time since the start of its last poll that
     *                     the source answered) before the stream is stale. Unset: three poll intervals of each stream
     * @param staleStatus  The health status of a stale stream whose source does not fail, such as DEGRADED,
     *                     OUT_OF_SERVICE or DOWN; a status Spring Boot does not know must be ranked in
     *                     management.endpoint.health.status.order. The stream's details say stale: true whatever
     *                     its status
     */
    public record HealthCheck(
            Duration maxStaleness,
            @DefaultValue("UP") String staleStatus) {

        /**
         * Checks both settings; the status is kept in upper case, as Spring Boot's statuses are.
         *
         * @param maxStaleness positive, or {@code null} for three poll intervals of each stream
         * @param staleStatus  not blank
         * @throws StatusStreamConfigurationException if a setting is out of range
         */
        public HealthCheck {
            if (maxStaleness != null) {
                requirePositive(maxStaleness, "status-stream.health.max-staleness");
            }
            if (staleStatus == null || staleStatus.isBlank()) {
                throw new StatusStreamConfigurationException("status-stream.health.stale-status must not be blank",
                        "Set status-stream.health.stale-status to a health status such as UP, DEGRADED or DOWN, or"
                                + " remove it to report stale streams UP");
            }
            staleStatus = staleStatus.strip().toUpperCase(Locale.ROOT);
        }
    }

    /**
     * How the streams end when the application context closes, before the web server's graceful shutdown: each
     * stream is drained ({@link StatusStream#drain}), its clients ended in waves with a retry hint each, so that they
     * come back spread out instead of all at once.
     *
     * @param drainPeriod How long shutdown spends ending the streams, in waves spread over it; 0 ends every stream at
     *                    once. Shutdown waits this long plus a few seconds at most: keep it well within the time the
     *                    platform gives the application to stop
     */
    public record Shutdown(@DefaultValue("10s") Duration drainPeriod) {

        /**
         * Checks the period.
         *
         * @param drainPeriod zero or positive
         * @throws StatusStreamConfigurationException if the period is negative
         */
        public Shutdown {
            if (drainPeriod.isNegative()) {
                throw outOfRange("status-stream.shutdown.drain-period", "must not be negative", drainPeriod);
            }
        }
    }

    /**
     * Cross-origin access to the stream endpoints, for pages served from another origin. Off while no origin is
     * configured. EventSource sends no preflight; with withCredentials: true it sends cookies, which
     * needs allow-credentials and explicit origins.
     *
     * @param allowedOrigins        Origins allowed to open streams, e.g. https://app.example.com
     * @param allowedOriginPatterns Origin patterns allowed to open streams, e.g. https://*.example.com
     * @param allowCredentials      Whether cookies may be sent with cross-origin stream requests; never together with
     *                              the * origin
     * @param maxAge                How long browsers may cache a preflight answer
     */
    public record Cors(
            @DefaultValue List<String> allowedOrigins,
            @DefaultValue List<String> allowedOriginPatterns,
            @DefaultValue("false") boolean allowCredentials,
            @DefaultValue("30m") Duration maxAge) {

        /** Origins that only a pattern admitting every origin matches. */
        private static final List<String> STRANGER_ORIGINS = List.of("null", "https://stranger-4f9b2c.invalid",
                "http://stranger-4f9b2c.invalid:8443");

        /**
         * Copies the lists and refuses credentials for origins nobody chose.
         *
         * @param allowedOrigins        never {@code null}, no {@code null} element; copied
         * @param allowedOriginPatterns never {@code null}, no {@code null} element; copied
         * @param allowCredentials      if {@code true}, no {@code *} origin and no pattern that matches any origin
         * @param maxAge                never {@code null} while an origin is configured
         * @throws StatusStreamConfigurationException if credentials are allowed for any origin
         */
        public Cors {
            allowedOrigins = List.copyOf(allowedOrigins);
            allowedOriginPatterns = List.copyOf(allowedOriginPatterns);
            if (allowCredentials && allowedOrigins.contains("*")) {
                throw new StatusStreamConfigurationException("status-stream.cors.allowed-origins must not contain '*'"
                        + " when status-stream.cors.allow-credentials is true: cookies would go to any site",
                        "List the origins in status-stream.cors.allowed-origins (or use"
                                + " status-stream.cors.allowed-origin-patterns such as https://*.example.com), so that"
                                + " cookies are sent to known origins only");
            }
            if (allowCredentials) {
                allowedOriginPatterns.forEach(Cors::requireNoWildcardOrigin);
            }
        }

        /**
         * A pattern that admits an origin nobody chose — a random host, or the {@code null} origin of sandboxed
         * frames and {@code file:} pages — would, with credentials, hand any site the user's cookies: the same hole
         * as {@code *}, which Spring refuses for {@code allowed-origins}.
         */
        private static void requireNoWildcardOrigin(String pattern) {
            CorsConfiguration probe = new CorsConfiguration();
            probe.setAllowedOriginPatterns(List.of(pattern));
            for (String stranger : STRANGER_ORIGINS) {
                if (probe.checkOrigin(stranger) != null) {
                    throw new StatusStreamConfigurationException("status-stream.cors.allowed-origin-patterns entry '"
                            + pattern + "' admits any origin (" + stranger + " matched it) while"
                            + " status-stream.cors.allow-credentials is true: cookies would go to any site",
                            "Name your own hosts in status-stream.cors.allowed-origin-patterns, e.g."
                                    + " https://app.example.com or https://*.example.com, so that cookies are sent to"
                                    + " known origins only");
                }
            }
        }

        /**
         * Whether any origin is configured.
         *
         * @return {@code false} while both origin lists are empty: cross-origin access is off
         */
        public boolean isEnabled() {
            return !allowedOrigins.isEmpty() || !allowedOriginPatterns.isEmpty();
        }
    }
}
