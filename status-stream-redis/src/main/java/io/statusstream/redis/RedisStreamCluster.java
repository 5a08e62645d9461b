package io.statusstream.redis;

import io.statusstream.core.SharedEvent;
import io.statusstream.core.StateEvent;
import io.statusstream.core.StreamCluster;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@link StreamCluster} on Redis: a lease with a fencing token for the leader, per-instance sets of watched keys
 * that expire with their instance, Redis Streams for the shared log, each key's recent history and hints. Uses
 * Spring Data Redis with any {@link RedisConnectionFactory} (Lettuce in Spring Boot's default setup).
 *
 * <p><b>Threads.</b> One thread sends a heartbeat every third of the lease time (registers watched keys, takes or
 * renews the lease, notices a completed round or a changed epoch); one thread reads the log and hints with a blocking
 * {@code XREAD} on a connection of its own. Both are daemon threads named after the stream.
 *
 * <p><b>Failure.</b> A failed heartbeat or read, or a lease not renewed in time, tells the engine the cluster is lost
 * ({@link Member#lost}); heartbeats go on, and the next one that succeeds starts joining again. Set the connection's
 * command timeout ({@code spring.data.redis.timeout}) below the lease time so that an unreachable Redis is noticed
 * quickly; the lease is given up locally when it could not be renewed in time whatever the timeout.
 *
 * <p>Thread-safe.
 *
 * @param <K> key type
 */
public final class RedisStreamCluster<K> implements StreamCluster<K> {

    private static final System.Logger LOG = System.getLogger(RedisStreamCluster.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int READ_COUNT = 1000;
    /** Keys per history script call, so one call does not hold Redis long. */
    private static final int HISTORY_CHUNK = 500;
    /** How long, in lease times, joining may wait for a round before polling alone again for as long. */
    private static final int JOIN_ATTEMPT_LEASES = 5;
    /** Consecutive failed reads of the log after which the cluster counts as lost. */
    private static final int MAX_FAILED_READS = 3;

    private final RedisConnectionFactory connectionFactory;
    private final StringRedisTemplate redis;
    private final Function<? super K, String> keyFormatter;
    private final Function<String, ? extends K> keyParser;
    private final String prefixBase;
    private final Duration leaseTime;
    private final int historyLength;
    private final int logLength;
    private final Duration readBlock;
    private final String memberId;

    private String prefix;
    private Member<K> member;
    private ScheduledExecutorService heartbeats;
    private Thread reader;
    private RedisConnection readerConnection;

    /** Guarded by {@code this}. */
    private State state = State.ALONE;
    private String epoch;
    private long registeredAt = -1;
    private long joinDeadline;
    private long retryAfterNanos;
    private long logSeq;
    private String hintOffset = "$";
    private final Set<String> sentKeys = new HashSet<>();
    private final Set<String> hintedKeys = new HashSet<>();
    private boolean resetKeys = true;
    private boolean failing;
    private boolean closed;
    /** Reader-confined. */
    private int failedReads;

    private volatile long token;
    private volatile long leaseValidUntilNanos;

    private RedisStreamCluster(Builder<K> builder) {
        this.connectionFactory = builder.connectionFactory;
        this.redis = new StringRedisTemplate(builder.connectionFactory);
        this.keyFormatter = builder.keyFormatter;
        this.keyParser = builder.keyParser;
        this.prefixBase = builder.prefix;
        this.leaseTime = builder.leaseTime;
        this.historyLength = builder.historyLength;
        this.logLength = builder.logLength;
        this.readBlock = builder.readBlock != null ? builder.readBlock : Builder.defaultReadBlock(builder.leaseTime);
        this.memberId = builder.memberId != null ? builder.memberId : newMemberId();
    }

    /**
     * Starts building a cluster.
     *
     * @param connectionFactory the Redis connection
     * @param keyFormatter      turns a key into text; must be injective and consistent across instances
     * @param keyParser         turns that text back into the key
     */
    public static <K> Builder<K> builder(RedisConnectionFactory connectionFactory,
                                         Function<? super K, String> keyFormatter,
                                         Function<String, ? extends K> keyParser) {
        return new Builder<>(connectionFactory, keyFormatter, keyParser);
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    @Override
    public void start(Member<K> member) {
        synchronized (this) {
            if (this.member != null) {
                throw new IllegalStateException(this + " is already started");
            }
            this.member = Objects.requireNonNull(member, "member");
            this.prefix = prefixBase + ":{" + member.name() + "}:";
        }
        String name = "status-stream-" + member.name() + "-cluster";
        heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, name + "-heartbeat"));
        long period = Math.max(1, leaseTime.toMillis() / 3);
        heartbeats.scheduleWithFixedDelay(this::heartbeat, 0, period, TimeUnit.MILLISECONDS);
        reader = daemon(this::readLoop, name + "-reader");
        reader.start();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed || member == null) {
                closed = true;
                return;
            }
            closed = true;
            notifyAll();
        }
        heartbeats.shutdownNow();
        try {
            heartbeats.awaitTermination(leaseTime.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        token = 0;
        try {
            run(ClusterScripts.LEAVE, prefix, memberId);
        } catch (RuntimeException unreachable) {
            LOG.log(Level.DEBUG, () -> this + ": could not leave the cluster cleanly: " + unreachable);
        }
        closeReaderConnection();
        try {
            reader.join(leaseTime.toMillis() + 1000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ----------------------------------------------------------------------------------------------- heartbeat

    private void heartbeat() {
        try {
            boolean stoppedAlone = !member.pollsAlone();
            Set<String> watched = format(member.watchedKeys());
            long started = System.nanoTime();
            boolean sentAll;
            long readBefore;
            synchronized (this) {
                sentAll = resetKeys;
                // The reader only reads what Redis had: a log position below this one means the log went back.
                readBefore = state == State.JOINED ? logSeq : -1;
            }
            List<String> reply = run(ClusterScripts.HEARTBEAT, heartbeatArgs(watched));
            renewed(Long.parseLong(reply.get(1)), started);
            synchronized (this) {
                sentKeys.clear();
                sentKeys.addAll(watched);
                // Registration gone (this member expired, e.g. after a long pause): send every key next time.
                resetKeys = !sentAll && !"1".equals(reply.get(5));
                recovered();
                advance(reply.get(0), Long.parseLong(reply.get(2)), Long.parseLong(reply.get(3)), reply.get(4),
                        reply.get(6), stoppedAlone, readBefore);
            }
        } catch (RuntimeException failure) {
            failed(failure);
        }
    }

    private List<String> heartbeatArgs(Set<String> watched) {
        List<String> args = new ArrayList<>(List.of(prefix, memberId, Long.toString(memberTtlMillis()),
                Long.toString(leaseTime.toMillis()), newEpoch()));
        synchronized (this) {
            args.add(resetKeys ? "1" : "0");
            List<String> added = new ArrayList<>();
            for (String key : watched) {
                if (resetKeys || !sentKeys.contains(key)) {
                    added.add(key);
                }
            }
            List<String> removed = new ArrayList<>();
            if (!resetKeys) {
                for (String key : sentKeys) {
                    if (!watched.contains(key)) {
                        removed.add(key);
                    }
                }
                for (String key : hintedKeys) {
                    if (!watched.contains(key) && !sentKeys.contains(key)) {
                        removed.add(key);
                    }
                }
            }
            hintedKeys.clear();
            args.add(Integer.toString(added.size()));
            args.addAll(added);
            args.add(Integer.toString(removed.size()));
            args.addAll(removed);
        }
        return args;
    }

    /** The lease as the heartbeat found it; a newly taken lease starts a round at once. */
    private void renewed(long heldToken, long startedNanos) {
        long previous = token;
        leaseValidUntilNanos = startedNanos + leaseTime.toNanos() * 9 / 10;
        token = heldToken;
        if (heldToken != 0 && heldToken != previous) {
            LOG.log(Level.DEBUG, () -> this + ": took the lease, token " + heldToken);
            member.hinted(List.of());
        }
    }

    /** Moves the joining state machine on after a successful heartbeat; under {@code this}. */
    private void advance(String currentEpoch, long now, long seq, String round, String lastHint,
                         boolean stoppedAlone, long readBefore) {
        switch (state) {
            case ALONE -> {
                if (System.nanoTime() - retryAfterNanos >= 0) {
                    state = State.JOINING;
                    epoch = currentEpoch;
                    hintOffset = lastHint;
                    registeredAt = -1;
                    joinDeadline = now + JOIN_ATTEMPT_LEASES * leaseTime.toMillis();
                    member.joining();
                    notifyAll();
                }
            }
            case JOINING -> {
                if (!currentEpoch.equals(epoch)) {
                    epoch = currentEpoch;
                    registeredAt = -1;
                }
                if (registeredAt < 0) {
                    if (stoppedAlone) {
                        registeredAt = now;
                        requestRound();
                    }
                } else if (roundStartedAt(round) > registeredAt) {
                    state = State.JOINED;
                    logSeq = seq;
                    member.joined(currentEpoch, seq);
                    notifyAll();
                    LOG.log(Level.DEBUG, () -> this + ": joined at log seq " + seq);
                    return;
                }
                if (now > joinDeadline) {
                    giveUpJoining();
                }
            }
            case JOINED -> {
                if (!currentEpoch.equals(epoch)) {
                    lose(new IllegalStateException("the cluster's epoch changed from " + epoch + " to "
                            + currentEpoch + ": Redis lost the shared log"));
                } else if (seq < readBefore) {
                    // Restored from an older snapshot: its sequence numbers would be issued again for new states.
                    // The script checks again, atomically, before it starts a new epoch.
                    String renewed = run(ClusterScripts.RENEW_EPOCH, prefix, epoch, newEpoch(),
                            Long.toString(readBefore)).get(0);
                    if (!renewed.equals(epoch)) {
                        lose(new IllegalStateException("the shared log went back from " + readBefore + " to " + seq
                                + " (Redis restored from an older snapshot?): a new epoch begins"));
                    }
                }
            }
        }
    }

    /** Asks the leader for a full round, so that joining takes one round trip rather than up to an interval. */
    private void requestRound() {
        try {
            hint(List.of());
        } catch (RuntimeException failure) {
            LOG.log(Level.DEBUG, () -> this + ": could not ask for a round, waiting for the next one: " + failure);
        }
    }

    private void giveUpJoining() {
        lose(new IllegalStateException("no poll round of the cluster completed within "
                + Duration.ofMillis(JOIN_ATTEMPT_LEASES * leaseTime.toMillis()) + " (is the poller's source down?)"));
        retryAfterNanos = System.nanoTime() + leaseTime.toNanos() * JOIN_ATTEMPT_LEASES;
    }

    private static long roundStartedAt(String round) {
        int colon = round.indexOf(':');
        return colon < 0 ? -1 : Long.parseLong(round.substring(colon + 1));
    }

    private void failed(RuntimeException failure) {
        token = 0;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!failing) {
                failing = true;
                LOG.log(Level.WARNING, () -> this + ": Redis is unreachable (" + failure + "); retrying every "
                        + Duration.ofMillis(Math.max(1, leaseTime.toMillis() / 3)));
            }
            resetKeys = true;
            lose(failure);
        }
    }

    private void recovered() {
        if (failing) {
            failing = false;
            LOG.log(Level.INFO, () -> this + ": Redis is reachable again, joining the cluster");
        }
    }

    /** Leaves JOINING or JOINED for ALONE and tells the engine; under {@code this}. */
    private void lose(Throwable cause) {
        state = State.ALONE;
        epoch = null;
        resetKeys = true;
        member.lost(cause);
    }

    // -------------------------------------------------------------------------------------------------- reader

    private void readLoop() {
        while (true) {
            long fromSeq;
            String hintsFrom;
            String readEpoch;
            synchronized (this) {
                while (!closed && state == State.ALONE) {
                    waitQuietly();
                }
                if (closed) {
                    return;
                }
                fromSeq = state == State.JOINED ? logSeq : -1;
                hintsFrom = hintOffset;
                readEpoch = epoch;
            }
            try {
                read(fromSeq, hintsFrom, readEpoch);
                failedReads = 0;
            } catch (RuntimeException failure) {
                closeReaderConnection();
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    // One slow read (a starved CPU) is not an outage: the heartbeat decides that. Reads that keep
                    // failing are, or this instance would fan out nothing while its heartbeats succeed.
                    if (state != State.ALONE && ++failedReads >= MAX_FAILED_READS) {
                        failedReads = 0;
                        failed(failure);
                    } else {
                        LOG.log(Level.DEBUG, () -> this + ": a read of the shared log failed, retrying: " + failure);
                    }
                }
            }
        }
    }

    private void waitQuietly() {
        try {
            wait(leaseTime.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void read(long fromSeq, String hintsFrom, String readEpoch) {
        List<StreamOffset<byte[]>> offsets = new ArrayList<>(2);
        offsets.add(StreamOffset.create(bytes(prefix + "hints"), ReadOffset.from(hintsFrom)));
        if (fromSeq >= 0) {
            offsets.add(StreamOffset.create(bytes(prefix + "log"), ReadOffset.from("0-" + fromSeq)));
        }
        @SuppressWarnings("unchecked")
        List<ByteRecord> records = readerConnection().streamCommands().xRead(
                StreamReadOptions.empty().count(READ_COUNT).block(readBlock), offsets.toArray(StreamOffset[]::new));
        LogBatch<K> batch = new LogBatch<>(readEpoch, hintsFrom);
        String logKey = prefix + "log";
        for (ByteRecord record : records == null ? List.<ByteRecord>of() : records) {
            Map<String, String> fields = fields(record.getValue());
            if (logKey.equals(text(record.getStream()))) {
                batch.add(record.getId().getSequence(), fields.get("e"));
                K key = parse(fields.get("k"));
                if (key != null) {
                    batch.events.add(event(key, record.getId().getSequence(), fields));
                }
            } else {
                batch.lastHint = record.getId().getValue();
                batch.hints.add(fields.getOrDefault("h", ""));
            }
        }
        deliver(fromSeq, readEpoch, batch);
    }

    private void deliver(long fromSeq, String readEpoch, LogBatch<K> batch) {
        synchronized (this) {
            if (state == State.ALONE || !Objects.equals(readEpoch, epoch)) {
                return;
            }
            hintOffset = batch.lastHint;
            if (batch.lastSeq > 0 && state == State.JOINED && logSeq == fromSeq) {
                if (batch.foreignEpoch != null) {
                    lose(new IllegalStateException("the shared log holds events of epoch " + batch.foreignEpoch
                            + ", not " + readEpoch + ": Redis lost or replaced the shared log"));
                    return;
                }
                if (batch.firstSeq != fromSeq + 1 && fromSeq > 0) {
                    lose(new IllegalStateException("this instance fell behind the shared log (at " + fromSeq
                            + ", oldest retained " + batch.firstSeq + "); raise the log length"));
                    return;
                }
                logSeq = batch.lastSeq;
                if (!batch.events.isEmpty()) {
                    member.received(readEpoch, batch.events);
                }
            }
        }
        List<String> hints = batch.hints;
        if (leaderToken() != 0) {
            for (String hint : hints) {
                member.hinted(hint.isEmpty() ? List.of() : parseAll(hint.split("\n")));
            }
        }
    }

    private SharedEvent<K> event(K key, long seq, Map<String, String> fields) {
        String data = fields.get("d");
        return new SharedEvent<>(key, seq, kind(fields.get("t")), "1".equals(fields.get("p")), data,
                fields.getOrDefault("n", data));
    }

    private synchronized RedisConnection readerConnection() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        if (readerConnection == null || readerConnection.isClosed()) {
            readerConnection = connectionFactory.getConnection();
        }
        return readerConnection;
    }

    private void closeReaderConnection() {
        RedisConnection connection;
        synchronized (this) {
            connection = readerConnection;
            readerConnection = null;
        }
        if (connection != null) {
            try {
                connection.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the SPI

    @Override
    public long leaderToken() {
        return System.nanoTime() - leaseValidUntilNanos < 0 ? token : 0;
    }

    @Override
    public Round<K> beginRound(long leaseToken) {
        List<String> reply = fenced(ClusterScripts.BEGIN_ROUND, prefix, memberId, Long.toString(leaseToken));
        return new Round<>(Set.copyOf(parseAll(reply.subList(3, reply.size()).toArray(String[]::new))),
                reply.get(0), Long.parseLong(reply.get(1)), Long.parseLong(reply.get(2)));
    }

    @Override
    public Map<K, List<SharedEvent<K>>> history(Collection<? extends K> keys, int perKey) {
        Map<K, List<SharedEvent<K>>> history = new LinkedHashMap<>();
        List<K> all = List.copyOf(keys);
        for (int from = 0; from < all.size(); from += HISTORY_CHUNK) {
            readHistory(all.subList(from, Math.min(all.size(), from + HISTORY_CHUNK)), perKey, history);
        }
        return history;
    }

    private void readHistory(List<K> keys, int perKey, Map<K, List<SharedEvent<K>>> history) {
        List<String> args = new ArrayList<>(keys.size() + 2);
        args.add(prefix);
        args.add(Integer.toString(perKey));
        Map<String, K> byText = new LinkedHashMap<>();
        for (K key : keys) {
            String text = keyFormatter.apply(key);
            byText.put(text, key);
            args.add(text);
        }
        List<String> reply = run(ClusterScripts.HISTORY, args);
        for (int i = 0; i + 5 < reply.size(); i += 6) {
            K key = byText.get(reply.get(i));
            SharedEvent<K> event = new SharedEvent<>(key, Long.parseLong(reply.get(i + 1)), kind(reply.get(i + 2)),
                    "1".equals(reply.get(i + 3)), reply.get(i + 4), reply.get(i + 5));
            history.computeIfAbsent(key, k -> new ArrayList<>()).add(event);
        }
    }

    @Override
    public void append(long leaseToken, List<SharedEvent<K>> events) {
        List<String> args = new ArrayList<>(6 + events.size() * 7);
        args.addAll(List.of(prefix, memberId, Long.toString(leaseToken), Integer.toString(historyLength),
                Integer.toString(logLength), Integer.toString(events.size())));
        for (SharedEvent<K> event : events) {
            boolean same = event.data().equals(event.snapshotData());
            args.addAll(List.of(keyFormatter.apply(event.key()), Long.toString(event.seq()), kind(event.kind()),
                    event.present() ? "1" : "0", event.data(), same ? "" : event.snapshotData(), same ? "1" : "0"));
        }
        fenced(ClusterScripts.APPEND, args.toArray(String[]::new));
    }

    @Override
    public void completeRound(long leaseToken, Round<K> round) {
        fenced(ClusterScripts.COMPLETE_ROUND, prefix, memberId, Long.toString(leaseToken),
                Long.toString(round.startedAt()));
    }

    @Override
    public void forget(long leaseToken, Collection<? extends K> keys) {
        List<String> args = new ArrayList<>(List.of(prefix, memberId, Long.toString(leaseToken)));
        keys.forEach(key -> args.add(keyFormatter.apply(key)));
        fenced(ClusterScripts.FORGET, args.toArray(String[]::new));
    }

    @Override
    public void hint(Collection<? extends K> keys) {
        sendHint(format(keys), false);
    }

    @Override
    public void load(Collection<? extends K> keys) {
        Set<String> texts = format(keys);
        synchronized (this) {
            hintedKeys.addAll(texts);
        }
        sendHint(texts, true);
    }

    private void sendHint(Set<String> texts, boolean register) {
        List<String> args = new ArrayList<>(List.of(prefix, memberId, Long.toString(memberTtlMillis()),
                Integer.toString(Math.max(100, logLength / 10)), String.join("\n", texts)));
        if (register) {
            args.addAll(texts);
        }
        run(ClusterScripts.HINT, args);
    }

    @Override
    public Set<K> watchedAmong(long leaseToken, Collection<? extends K> keys) {
        List<String> args = new ArrayList<>(List.of(prefix, memberId, Long.toString(leaseToken)));
        args.addAll(format(keys));
        return new LinkedHashSet<>(parseAll(fenced(ClusterScripts.WATCHED_AMONG, args.toArray(String[]::new))
                .toArray(String[]::new)));
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    private List<String> fenced(RedisScript<List> script, String... args) {
        try {
            return run(script, List.of(args));
        } catch (RuntimeException failure) {
            String message = String.valueOf(failure.getMessage()) + (failure.getCause() == null ? ""
                    : " " + failure.getCause().getMessage());
            if (message.contains("LEASE lost") || message.contains("SEQ:")) {
                token = 0;
                throw new LeadershipLostException(message);
            }
            throw failure;
        }
    }

    private List<String> run(RedisScript<List> script, String... args) {
        return run(script, List.of(args));
    }

    @SuppressWarnings("unchecked")
    private List<String> run(RedisScript<List> script, List<String> args) {
        // The first key tells Redis Cluster where to run the script; every key of the stream shares its slot.
        List<Object> reply = redis.execute(script, List.of(prefix + "epoch"), args.toArray());
        List<String> texts = new ArrayList<>(reply == null ? 0 : reply.size());
        if (reply != null) {
            for (Object value : reply) {
                texts.add(value == null ? null : value.toString());
            }
        }
        return texts;
    }

    private Set<String> format(Collection<? extends K> keys) {
        Set<String> texts = new LinkedHashSet<>(keys.size() * 2);
        for (K key : keys) {
            texts.add(keyFormatter.apply(key));
        }
        return texts;
    }

    private List<K> parseAll(String[] texts) {
        List<K> keys = new ArrayList<>(texts.length);
        for (String text : texts) {
            K key = parse(text);
            if (key != null) {
                keys.add(key);
            }
        }
        return keys;
    }

    private K parse(String text) {
        try {
            return text == null ? null : keyParser.apply(text);
        } catch (RuntimeException malformed) {
            LOG.log(Level.DEBUG, () -> this + ": ignoring key '" + text + "' from Redis: " + malformed);
            return null;
        }
    }

    private long memberTtlMillis() {
        return leaseTime.toMillis() * 3;
    }

    private static Map<String, String> fields(Map<byte[], byte[]> raw) {
        Map<String, String> fields = new LinkedHashMap<>();
        raw.forEach((name, value) -> fields.put(text(name), text(value)));
        return fields;
    }

    private static String kind(StateEvent.Kind kind) {
        return switch (kind) {
            case SNAPSHOT -> "s";
            case CHANGE -> "c";
            case REMOVED -> "r";
        };
    }

    private static StateEvent.Kind kind(String code) {
        return switch (code) {
            case "s" -> StateEvent.Kind.SNAPSHOT;
            case "r" -> StateEvent.Kind.REMOVED;
            default -> StateEvent.Kind.CHANGE;
        };
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    private static String newMemberId() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36).toLowerCase(Locale.ROOT);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /** This member's id in the cluster, random per instance unless set. */
    public String memberId() {
        return memberId;
    }

    @Override
    public String toString() {
        return "RedisStreamCluster[" + (prefix == null ? prefixBase : prefix) + " member " + memberId + "]";
    }

    private enum State { ALONE, JOINING, JOINED }

    /** What one read of the log and the hints brought. */
    private static final class LogBatch<K> {
        final List<SharedEvent<K>> events = new ArrayList<>();
        final List<String> hints = new ArrayList<>();
        private final String expectedEpoch;
        String lastHint;
        long firstSeq;
        long lastSeq;
        String foreignEpoch;

        LogBatch(String expectedEpoch, String hintsFrom) {
            this.expectedEpoch = expectedEpoch;
            this.lastHint = hintsFrom;
        }

        /** A log record, parsed or not: positions advance past records whose key this instance cannot parse. */
        void add(long seq, String recordEpoch) {
            if (firstSeq == 0) {
                firstSeq = seq;
            }
            lastSeq = seq;
            if (recordEpoch != null && !recordEpoch.equals(expectedEpoch)) {
                foreignEpoch = recordEpoch;
            }
        }
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

        /** First part of every Redis key; default {@code status-stream}. Keys are {@code <prefix>:{<stream>}:...}. */
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
         */
        public Builder<K> leaseTime(Duration leaseTime) {
            if (leaseTime == null || leaseTime.toMillis() < 30) {
                throw new IllegalArgumentException("leaseTime must be at least 30 ms, was " + leaseTime);
            }
            this.leaseTime = leaseTime;
            return this;
        }

        /** Events kept per key for replay on any instance; use the stream's replay size + 1 (default 17). */
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

        /** This instance's id in the cluster, without {@code ':'}; default random. */
        public Builder<K> memberId(String memberId) {
            if (memberId == null || memberId.isBlank() || memberId.contains(":")) {
                throw new IllegalArgumentException("memberId must be non-blank text without ':', was " + memberId);
            }
            this.memberId = memberId;
            return this;
        }

        public RedisStreamCluster<K> build() {
            return new RedisStreamCluster<>(this);
        }
    }
}
