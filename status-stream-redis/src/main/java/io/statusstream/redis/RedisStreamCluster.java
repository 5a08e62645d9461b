package io.statusstream.redis;

import io.statusstream.core.SharedEvent;
import io.statusstream.core.StreamCluster;
import io.statusstream.redis.ScriptReplies.HistoryEntry;
import io.statusstream.redis.ScriptReplies.RoundReply;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link StreamCluster} on Redis: a lease with a fencing token for the leader, per-instance sets of watched keys
 * that expire with their instance, Redis Streams for the shared log, each key's recent history and hints. Uses
 * Spring Data Redis with any {@link RedisConnectionFactory} (Lettuce in Spring Boot's default setup).
 *
 * <p><b>Threads.</b> One thread sends a heartbeat every third of the lease time (registers watched keys, takes or
 * renews the lease, notices a completed round or a changed epoch); one thread reads the log and hints with a blocking
 * {@code XREAD} on a connection of its own. Both are daemon threads named after the stream. Neither holds a lock that
 * the engine's threads take: {@link #leaderToken()} reads one immutable value and does no I/O; the other methods do
 * their own I/O on the caller's thread, without a lock. Calls to the engine's {@link Member} are made outside any lock,
 * in the order the cluster decided them. A heartbeat or a read that throws anything, an {@link Error} included, is
 * logged and taken for an outage; the threads go on.
 *
 * <p><b>Failure.</b> A failed heartbeat, reads that keep failing, or a lease not renewed in time, tell the engine the
 * cluster is lost ({@link Member#lost}); heartbeats go on, and the next one that succeeds starts joining again. Set the
 * connection's command timeout ({@code spring.data.redis.timeout}) below the lease time so that an unreachable Redis
 * is noticed quickly; the lease is given up locally when it could not be renewed in time whatever the timeout.
 *
 * <p>Thread-safe. Methods other than {@link #start}, {@link #leaderToken}, {@link #close} and {@link #memberId} throw
 * {@link IllegalStateException} before {@link #start}.
 *
 * @param <K> key type
 */
public final class RedisStreamCluster<K> implements StreamCluster<K> {

    private static final System.Logger LOG = System.getLogger(RedisStreamCluster.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Keys per history script call, so one call does not hold Redis long. */
    private static final int HISTORY_CHUNK = 500;

    private final RedisConnectionFactory connectionFactory;
    private final KeyCodec<K> keys;
    private final ClusterSettings settings;
    private final LeaseKeeper lease;
    /** Set once by {@link #start}; immutable. */
    private volatile Running<K> running;
    /** Guarded by {@code lifecycle}, which is held only to start or close, never over I/O. */
    private boolean closed;
    private final Object lifecycle = new Object();

    private RedisStreamCluster(Builder<K> builder) {
        this.connectionFactory = builder.connectionFactory;
        this.keys = new KeyCodec<>(builder.keyFormatter, builder.keyParser);
        this.settings = new ClusterSettings(builder.prefix, builder.leaseTime, builder.historyLength,
                builder.logLength, builder.readBlock != null ? builder.readBlock
                : Builder.defaultReadBlock(builder.leaseTime), builder.memberId != null ? builder.memberId
                : newMemberId());
        this.lease = new LeaseKeeper(settings.leaseTime(), System.nanoTime());
    }

    /**
     * Starts building a cluster.
     *
     * @param connectionFactory the Redis connection
     * @param keyFormatter      turns a key into text; must be injective and consistent across instances
     * @param keyParser         turns that text back into the key
     * @param <K>               key type
     * @return a new builder with every other setting at its default
     */
    public static <K> Builder<K> builder(RedisConnectionFactory connectionFactory,
                                         Function<? super K, String> keyFormatter,
                                         Function<String, ? extends K> keyParser) {
        return new Builder<>(connectionFactory, keyFormatter, keyParser);
    }

    /** What {@link #start} made: the member's commands, registration, membership and threads. */
    private record Running<K>(ClusterCommands commands, KeyRegistration registration, Membership<K> membership,
                              Heartbeat<K> heartbeat, LogReader<K> reader) {
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void start(Member<K> member) {
        Objects.requireNonNull(member, "member");
        synchronized (lifecycle) {
            if (running != null || closed) {
                throw new IllegalStateException(this + (closed ? " is closed" : " is already started"));
            }
            Running<K> started = connect(member);
            running = started;
            // Under the lock (no I/O: the threads only start), so that a concurrent close stops them.
            String threads = "status-stream-" + member.name() + "-cluster";
            started.heartbeat().start(threads + "-heartbeat", Duration.ofMillis(settings.heartbeatPeriodMillis()));
            started.reader().start(threads + "-reader");
        }
    }

    private Running<K> connect(Member<K> member) {
        ClusterCommands commands = new ClusterCommands(new StringRedisTemplate(connectionFactory), settings,
                member.name());
        String owner = "RedisStreamCluster[" + commands.prefix() + " member " + settings.memberId() + "]";
        Duration period = Duration.ofMillis(settings.heartbeatPeriodMillis());
        KeyRegistration registration = new KeyRegistration();
        Membership<K> membership = new Membership<>(new JoinProtocol(settings.leaseTime()), member, lease,
                registration, owner, period, System::nanoTime);
        return new Running<>(commands, registration, membership,
                new Heartbeat<>(member, keys, registration, commands, lease, membership, owner),
                new LogReader<>(connectionFactory, settings, commands.prefix(), keys, membership, owner));
    }

    @Override
    public void close() {
        Running<K> started;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            started = running;
        }
        if (started == null) {
            return;
        }
        started.membership().close();
        started.heartbeat().stop(settings.leaseTime());
        lease.drop(System.nanoTime());
        try {
            started.commands().leave();
        } catch (RuntimeException unreachable) {
            LOG.log(Level.DEBUG, () -> this + ": could not leave the cluster cleanly: " + unreachable);
        }
        started.reader().stop(settings.leaseTime().plusSeconds(1));
    }

    // ------------------------------------------------------------------------------------------------ the SPI

    @Override
    public long leaderToken() {
        return lease.token(System.nanoTime());
    }

    @Override
    public Round<K> beginRound(long token) {
        RoundReply round = fenced(token, () -> started().commands().beginRound(token));
        return new Round<>(Set.copyOf(keys.parseAll(round.keys())), round.epoch(), round.lastSeq(),
                round.startedAt());
    }

    @Override
    public Map<K, List<SharedEvent<K>>> history(Collection<? extends K> wanted, int perKey) {
        ClusterCommands commands = started().commands();
        Map<K, List<SharedEvent<K>>> history = new LinkedHashMap<>();
        List<K> all = List.copyOf(wanted);
        for (int from = 0; from < all.size(); from += HISTORY_CHUNK) {
            Map<String, K> byText = new LinkedHashMap<>();
            for (K key : all.subList(from, Math.min(all.size(), from + HISTORY_CHUNK))) {
                byText.put(keys.format(key), key);
            }
            for (HistoryEntry entry : commands.history(perKey, byText.keySet())) {
                K key = byText.get(entry.key());
                if (key != null) {
                    history.computeIfAbsent(key, k -> new ArrayList<>()).add(EventFields.fromHistory(key, entry));
                }
            }
        }
        return history;
    }

    @Override
    public void append(long token, List<SharedEvent<K>> events) {
        List<String> args = new ArrayList<>(events.size() * EventFields.APPEND_ARGS);
        for (SharedEvent<K> event : events) {
            args.addAll(EventFields.appendArgs(keys.format(event.key()), event));
        }
        fenced(token, () -> started().commands().append(token, args));
    }

    @Override
    public void completeRound(long token, Round<K> round) {
        fenced(token, () -> {
            started().commands().completeRound(token, round.startedAt());
            return null;
        });
    }

    @Override
    public void forget(long token, Collection<? extends K> forgotten) {
        Set<String> texts = keys.formatAll(forgotten);
        fenced(token, () -> {
            started().commands().forget(token, texts);
            return null;
        });
    }

    @Override
    public void hint(Collection<? extends K> hinted) {
        started().commands().hint(keys.formatAll(hinted), false);
    }

    @Override
    public void load(Collection<? extends K> loaded) {
        Running<K> started = started();
        Set<String> texts = keys.formatAll(loaded);
        started.registration().loaded(texts);
        started.commands().hint(texts, true);
    }

    @Override
    public Set<K> watchedAmong(long token, Collection<? extends K> candidates) {
        Set<String> texts = keys.formatAll(candidates);
        return new LinkedHashSet<>(keys.parseAll(fenced(token, () -> started().commands().watchedAmong(token, texts))
                .keys()));
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    /** A fenced call; a lost lease is forgotten at once, so {@link #leaderToken} stops handing it out. */
    private <T> T fenced(long token, Supplier<T> call) {
        try {
            return call.get();
        } catch (LeadershipLostException lost) {
            lease.drop(token, System.nanoTime());
            throw lost;
        }
    }

    private Running<K> started() {
        Running<K> started = running;
        if (started == null) {
            throw new IllegalStateException(this + " is not started");
        }
        return started;
    }

    /** The settings it was built with. */
    ClusterSettings settings() {
        return settings;
    }

    /**
     * This member's id in the cluster.
     *
     * @return the id given to the builder, or a random one per instance; never {@code null}
     */
    public String memberId() {
        return settings.memberId();
    }

    @Override
    public String toString() {
        Running<K> started = running;
        return "RedisStreamCluster[" + (started == null ? settings.prefix() : started.commands().prefix())
                + " member " + settings.memberId() + "]";
    }

    private static String newMemberId() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36).toLowerCase(Locale.ROOT);
    }

    /**
     * Configures a {@link RedisStreamCluster}. Not thread-safe.
     *
     * @param <K> key type
     */
    public static final class Builder<K> {

        /** Lease time when none is set: the default poll interval. */
        public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(2);

        private final RedisConnectionFactory connectionFactory;
        private final Function<? super K, String> keyFormatter;
        private final Function<String, ? extends K> keyParser;
        private String prefix = "status-stream";
        private Duration leaseTime = DEFAULT_LEASE_TIME;
        private int historyLength = 17;
        private int logLength = 10_000;
        private Duration readBlock;
        private String memberId;

        private Builder(RedisConnectionFactory connectionFactory, Function<? super K, String> keyFormatter,
                        Function<String, ? extends K> keyParser) {
            this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
            this.keyFormatter = Objects.requireNonNull(keyFormatter, "keyFormatter");
            this.keyParser = Objects.requireNonNull(keyParser, "keyParser");
        }

        /**
         * First part of every Redis key; default {@code status-stream}. Keys are {@code <prefix>:{<stream>}:...}.
         *
         * @param prefix non-blank text without braces
         * @return this builder
         */
        public Builder<K> prefix(String prefix) {
            if (prefix == null || prefix.isBlank() || prefix.contains("{") || prefix.contains("}")) {
                throw new IllegalArgumentException("prefix must be non-blank text without braces, was " + prefix);
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * How long the leader's lease lasts unrenewed: a dead leader is replaced after at most this plus a third of
         * it. Use the poll interval (the default matches the default interval), so takeover is within two intervals.
         *
         * @param leaseTime at least 30 ms
         * @return this builder
         */
        public Builder<K> leaseTime(Duration leaseTime) {
            if (leaseTime == null || leaseTime.toMillis() < 30) {
                throw new IllegalArgumentException("leaseTime must be at least 30 ms, was " + leaseTime);
            }
            this.leaseTime = leaseTime;
            return this;
        }

        /**
         * Events kept per key for replay on any instance; use the stream's replay size + 1 (default 17).
         *
         * @param historyLength at least 1
         * @return this builder
         */
        public Builder<K> historyLength(int historyLength) {
            if (historyLength < 1) {
                throw new IllegalArgumentException("historyLength must be at least 1, was " + historyLength);
            }
            this.historyLength = historyLength;
            return this;
        }

        /**
         * Approximate length of the shared log all instances read (default 10,000): an instance that falls further
         * behind than this rejoins.
         *
         * @param logLength at least 100
         * @return this builder
         */
        public Builder<K> logLength(int logLength) {
            if (logLength < 100) {
                throw new IllegalArgumentException("logLength must be at least 100, was " + logLength);
            }
            this.logLength = logLength;
            return this;
        }

        /**
         * How long one read of the log waits for events when there are none; default the lease time, at most 1 s.
         * It must be shorter than the connection's command timeout ({@code spring.data.redis.timeout}), or every idle
         * read times out and is taken for an outage; the auto-configuration keeps it under half of that timeout.
         *
         * @param readBlock at least 1 ms
         * @return this builder
         */
        public Builder<K> readBlock(Duration readBlock) {
            if (readBlock == null || readBlock.toMillis() < 1) {
                throw new IllegalArgumentException("readBlock must be at least 1 ms, was " + readBlock);
            }
            this.readBlock = readBlock;
            return this;
        }

        static Duration defaultReadBlock(Duration leaseTime) {
            return leaseTime.compareTo(Duration.ofSeconds(1)) < 0 ? leaseTime : Duration.ofSeconds(1);
        }

        /**
         * This instance's id in the cluster; default random.
         *
         * @param memberId non-blank text without {@code ':'}
         * @return this builder
         */
        public Builder<K> memberId(String memberId) {
            if (memberId == null || memberId.isBlank() || memberId.contains(":")) {
                throw new IllegalArgumentException("memberId must be non-blank text without ':', was " + memberId);
            }
            this.memberId = memberId;
            return this;
        }

        /**
         * Builds the cluster, not yet connected: the engine connects it when it starts.
         *
         * @return a new cluster with this builder's settings
         */
        public RedisStreamCluster<K> build() {
            return new RedisStreamCluster<>(this);
        }
    }
}
