package io.statusstream.spring;

import io.statusstream.core.ChangeDetector;
import io.statusstream.core.ChangeNotifier;
import io.statusstream.core.EventSerializer;
import io.statusstream.core.StateSource;
import io.statusstream.core.StreamScheduler;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Declares one status stream of a Spring Boot application: declare it as a bean and the starter runs its engine and
 * serves it over Server-Sent Events at {@code GET {path}/{key}/status-stream} and
 * {@code GET {path}/status-stream?ids=1,2,3}.
 *
 * <pre>{@code
 * @Bean
 * StreamDefinition<Long, BotStatus> botStream(BotRepository bots) {
 *     return StreamDefinition.builder("bots", bots::findStatusByIds)    // StateSource<Long, BotStatus>
 *             .path("/api/v1/bots")
 *             .keyParser(Long::valueOf)
 *             .accessPolicy((principal, ids) -> bots.allOwnedBy(principal.getName(), ids)
 *                     ? AccessDecision.ALLOW : AccessDecision.NOT_FOUND)
 *             .build();
 * }
 * }</pre>
 *
 * <p>The definition says <em>what</em> is streamed, in code; <em>how much</em> (poll interval, heartbeat, replay,
 * limits) is configuration: {@code status-stream.*}, overridable per stream under
 * {@code status-stream.streams.<name>.*}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <K> key type
 * @param <S> state type
 */
public final class StreamDefinition<K, S> {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final String name;
    private final StateSource<K, S> source;
    private final String path;
    private final Function<String, ? extends K> keyParser;
    private final Function<? super K, String> keyFormatter;
    private final StreamAccessPolicy<? super K> accessPolicy;
    private final ChangeDetector<S> changeDetector;
    private final ChangeNotifier<K> changeNotifier;
    private final EventSerializer<K, S> serializer;
    private final StreamScheduler scheduler;
    private final Executor writerExecutor;

    private StreamDefinition(Builder<K, S> builder) {
        this.name = builder.name;
        this.source = builder.source;
        this.path = builder.path;
        this.keyParser = builder.keyParser;
        this.keyFormatter = builder.keyFormatter == null ? String::valueOf : builder.keyFormatter;
        this.accessPolicy = builder.accessPolicy;
        this.changeDetector = builder.changeDetector;
        this.changeNotifier = builder.changeNotifier;
        this.serializer = builder.serializer;
        this.scheduler = builder.scheduler;
        this.writerExecutor = builder.writerExecutor;
    }

    /**
     * Starts a definition.
     *
     * @param name   the stream's name: letters, digits, {@code .}, {@code _} and {@code -}; used in the default
     *               path, in logs, in metrics (tag {@code stream}) and in {@code status-stream.streams.<name>.*}
     * @param source where the state of watched keys is read, in batches; never {@code null}
     * @param <K>    key type
     * @param <S>    state type
     * @return a new builder; it builds once a key parser and an access policy (or public access) are set
     * @throws IllegalArgumentException if the name is not such a name
     */
    public static <K, S> Builder<K, S> builder(String name, StateSource<K, S> source) {
        return new Builder<>(name, source);
    }

    /**
     * The stream's name.
     *
     * @return the name given to {@link #builder}, never {@code null}
     */
    public String name() {
        return name;
    }

    /**
     * The source of state.
     *
     * @return the source given to {@link #builder}, never {@code null}
     */
    public StateSource<K, S> source() {
        return source;
    }

    /**
     * The path the endpoints hang under, if set; else {@code status-stream.base-path} + {@code /} + name.
     *
     * @return the path, or empty for the default
     */
    public Optional<String> path() {
        return Optional.ofNullable(path);
    }

    /**
     * Parses a key from its text in a URL.
     *
     * @return the parser, never {@code null}
     */
    public Function<String, ? extends K> keyParser() {
        return keyParser;
    }

    /**
     * Formats a key for the {@code key} field of events; {@link String#valueOf} unless set.
     *
     * @return the formatter, never {@code null}
     */
    public Function<? super K, String> keyFormatter() {
        return keyFormatter;
    }

    /**
     * The access policy; empty exactly when the stream is public.
     *
     * @return the policy, or empty for a public stream
     */
    public Optional<StreamAccessPolicy<? super K>> accessPolicy() {
        return Optional.ofNullable(accessPolicy);
    }

    /**
     * Whether anyone, authenticated or not, may watch every key.
     *
     * @return {@code true} if the builder chose {@link Builder#publicAccess()}
     */
    public boolean isPublic() {
        return accessPolicy == null;
    }

    /**
     * The change detector, if set; else the engine's default.
     *
     * @return the detector, or empty for the default
     */
    public Optional<ChangeDetector<S>> changeDetector() {
        return Optional.ofNullable(changeDetector);
    }

    /**
     * The change notifier, if set; else none: the periodic poll and {@code touch} only.
     *
     * @return the notifier, or empty for none
     */
    public Optional<ChangeNotifier<K>> changeNotifier() {
        return Optional.ofNullable(changeNotifier);
    }

    /**
     * The serializer of event data, if set; else the one the application's {@link EventSerializerFactory} bean makes
     * (Jackson).
     *
     * @return the serializer, or empty for the factory's
     */
    public Optional<EventSerializer<K, S>> serializer() {
        return Optional.ofNullable(serializer);
    }

    /**
     * The engine's scheduler, if set; else the engine's own poller thread.
     *
     * @return the scheduler, or empty for the engine's own
     */
    public Optional<StreamScheduler> scheduler() {
        return Optional.ofNullable(scheduler);
    }

    /**
     * The executor of writes to clients, if set; else the engine's default.
     *
     * @return the executor, or empty for the engine's default
     */
    public Optional<Executor> writerExecutor() {
        return Optional.ofNullable(writerExecutor);
    }

    @Override
    public String toString() {
        return "StreamDefinition[" + name + (path == null ? "" : ", " + path) + (isPublic() ? ", public" : "") + "]";
    }

    /**
     * Builds a {@link StreamDefinition}. Each setting may be set once. Not thread-safe.
     *
     * @param <K> key type
     * @param <S> state type
     */
    public static final class Builder<K, S> {

        private final String name;
        private final StateSource<K, S> source;
        private String path;
        private Function<String, ? extends K> keyParser;
        private Function<? super K, String> keyFormatter;
        private StreamAccessPolicy<? super K> accessPolicy;
        private boolean publicAccess;
        private ChangeDetector<S> changeDetector;
        private ChangeNotifier<K> changeNotifier;
        private EventSerializer<K, S> serializer;
        private StreamScheduler scheduler;
        private Executor writerExecutor;

        private Builder(String name, StateSource<K, S> source) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("stream name '" + name + "' must start with a letter or digit"
                        + " and contain only letters, digits, '.', '_' and '-'");
            }
            this.name = name;
            this.source = Objects.requireNonNull(source, "source");
        }

        /**
         * The path the endpoints hang under, e.g. {@code /api/v1/bots} for {@code /api/v1/bots/{key}/status-stream}
         * and {@code /api/v1/bots/status-stream?ids=...}. Default: {@code status-stream.base-path} + {@code /} + name.
         *
         * @param path starts with {@code /}, does not end with one, contains no pattern ({@code {...}}, {@code *})
         * @return this builder
         */
        public Builder<K, S> path(String path) {
            requireUnset(this.path, "path");
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/") || path.endsWith("/") || path.contains("{") || path.contains("*")) {
                throw new IllegalArgumentException("path '" + path + "' of stream '" + name + "' must start with '/',"
                        + " not end with '/' and contain no pattern");
            }
            this.path = path;
            return this;
        }

        /**
         * Parses a key from the text of a URL, e.g. {@code Long::valueOf}; required. Any exception it throws means a
         * malformed key, answered with 400.
         *
         * @param parser text to key, never {@code null}; {@link KeyParsers} has strict ones
         * @return this builder
         */
        public Builder<K, S> keyParser(Function<String, ? extends K> parser) {
            requireUnset(keyParser, "keyParser");
            keyParser = Objects.requireNonNull(parser, "keyParser");
            return this;
        }

        /**
         * Formats a key for the {@code key} field of events, the inverse of the key parser. Default
         * {@link String#valueOf}.
         *
         * @param formatter key to text, never {@code null}
         * @return this builder
         */
        public Builder<K, S> keyFormatter(Function<? super K, String> formatter) {
            requireUnset(keyFormatter, "keyFormatter");
            keyFormatter = Objects.requireNonNull(formatter, "keyFormatter");
            return this;
        }

        /**
         * Who may watch which keys; requests without a principal get 401. Exclusive with {@link #publicAccess()}.
         *
         * @param policy decides which keys a principal may watch, never {@code null}
         * @return this builder
         */
        public Builder<K, S> accessPolicy(StreamAccessPolicy<? super K> policy) {
            requireUnset(accessPolicy, "accessPolicy");
            requireState(!publicAccess, "The stream '" + name + "' is already public; it cannot also have an access"
                    + " policy", "Call either .accessPolicy(...) or .publicAccess() on its StreamDefinition builder");
            accessPolicy = Objects.requireNonNull(policy, "accessPolicy");
            return this;
        }

        /**
         * Lets anyone, authenticated or not, watch every key. Streams are not public unless this is called; exclusive
         * with {@link #accessPolicy}.
         *
         * @return this builder
         */
        public Builder<K, S> publicAccess() {
            requireState(accessPolicy == null, "The stream '" + name + "' already has an access policy; it cannot also"
                    + " be public", "Call either .accessPolicy(...) or .publicAccess() on its StreamDefinition builder");
            publicAccess = true;
            return this;
        }

        /**
         * How changes are recognised; default {@link ChangeDetector#equality()}.
         *
         * @param detector decides which fetched states are sent, never {@code null}
         * @return this builder
         */
        public Builder<K, S> changeDetector(ChangeDetector<S> detector) {
            requireUnset(changeDetector, "changeDetector");
            changeDetector = Objects.requireNonNull(detector, "changeDetector");
            return this;
        }

        /**
         * Push hints (e.g. PostgreSQL {@code LISTEN/NOTIFY}); default none.
         *
         * @param notifier never {@code null}; started and closed by the stream
         * @return this builder
         */
        public Builder<K, S> changeNotifier(ChangeNotifier<K> notifier) {
            requireUnset(changeNotifier, "changeNotifier");
            changeNotifier = Objects.requireNonNull(notifier, "changeNotifier");
            return this;
        }

        /**
         * Turns events into the text of their {@code data} field. Default: one made by the application's
         * {@link EventSerializerFactory} bean, which the starter provides with Jackson (the JSON envelope documented in
         * the README).
         *
         * @param serializer never {@code null}; thread-safe if other streams use it too
         * @return this builder
         */
        public Builder<K, S> serializer(EventSerializer<K, S> serializer) {
            requireUnset(this.serializer, "serializer");
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /**
         * The engine's clock and poller thread, e.g. a {@code ManualStreamScheduler} in tests. Not closed by the
         * stream. Default: a poller thread owned by the stream.
         *
         * @param scheduler runs the stream's polls and timers, never {@code null}
         * @return this builder
         */
        public Builder<K, S> scheduler(StreamScheduler scheduler) {
            requireUnset(this.scheduler, "scheduler");
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Runs writes to clients. Not shut down by the stream. Default: the engine's (virtual threads on Java 21+,
         * else a bounded pool of daemon threads) — not Boot's {@code applicationTaskExecutor}, whose few platform
         * threads a handful of stuck clients could occupy.
         *
         * @param executor runs the writes to clients, never {@code null}
         * @return this builder
         */
        public Builder<K, S> writerExecutor(Executor executor) {
            requireUnset(writerExecutor, "writerExecutor");
            writerExecutor = Objects.requireNonNull(executor, "writerExecutor");
            return this;
        }

        /**
         * Builds the definition.
         *
         * @return a new definition, to declare as a bean
         * @throws StatusStreamConfigurationException if the key parser is missing, or if neither an access policy nor
         *                                             public access was chosen (secure by default)
         */
        public StreamDefinition<K, S> build() {
            if (keyParser == null) {
                throw new StatusStreamConfigurationException("The stream '" + name + "' has no key parser",
                        "Call .keyParser(...) on its StreamDefinition builder, e.g. .keyParser(KeyParsers.asciiLong())"
                                + " for Long keys or .keyParser(Function.identity()) for String keys");
            }
            if (accessPolicy == null && !publicAccess) {
                throw new StatusStreamConfigurationException("The stream '" + name + "' has no access policy, and"
                        + " streams are not public by default", "Call .accessPolicy((principal, keys) -> ...) on its"
                        + " StreamDefinition builder to decide who may watch which keys, or .publicAccess() to let"
                        + " anyone watch every key");
            }
            return new StreamDefinition<>(this);
        }

        private void requireUnset(Object current, String setting) {
            requireState(current == null, "The " + setting + " of stream '" + name + "' was already set to " + current,
                    "Call ." + setting + "(...) once on its StreamDefinition builder");
        }

        private static void requireState(boolean condition, String description, String action) {
            if (!condition) {
                throw new StatusStreamConfigurationException(description, action);
            }
        }
    }
}
