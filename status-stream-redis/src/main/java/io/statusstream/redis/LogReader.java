package io.statusstream.redis;

import io.statusstream.core.SharedEvent;
import io.statusstream.redis.JoinProtocol.Cursor;
import io.statusstream.redis.JoinProtocol.LogRead;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reader thread of one member: while the member is in a session of the {@link JoinProtocol}, reads the shared
 * log (once joined) and the hints with a blocking {@code XREAD} on a connection of its own, decodes them and reports
 * them to the {@link Membership}, which decides what reaches the member.
 *
 * <p>A read that throws anything, an {@link Error} included (a key parser that breaks, say), closes the connection
 * and is reported as a failed read; the loop goes on, and reads that keep failing count as an outage. The connection
 * is the thread's own; {@link #stop} closes it from outside to end a blocking read. Runs on a daemon thread of its
 * own.
 *
 * @param <K> key type
 */
final class LogReader<K> implements Runnable {

    private static final System.Logger LOG = System.getLogger(RedisStreamCluster.class.getName());
    private static final int READ_COUNT = 1000;

    private final RedisConnectionFactory connectionFactory;
    private final KeyCodec<K> keys;
    private final Membership<K> membership;
    private final Duration leaseTime;
    private final StreamReadOptions options;
    private final String logKey;
    private final byte[] logStream;
    private final byte[] hintStream;
    private final String owner;
    private final AtomicReference<RedisConnection> connection = new AtomicReference<>();
    private Thread thread;
    /** Reader-confined: whether the last read failed unexpectedly (logged once in a row). */
    private boolean failingUnexpectedly;

    LogReader(RedisConnectionFactory connectionFactory, ClusterSettings settings, String prefix, KeyCodec<K> keys,
              Membership<K> membership, String owner) {
        this.connectionFactory = connectionFactory;
        this.keys = keys;
        this.membership = membership;
        this.leaseTime = settings.leaseTime();
        this.options = StreamReadOptions.empty().count(READ_COUNT).block(settings.readBlock());
        this.logKey = prefix + "log";
        this.logStream = bytes(logKey);
        this.hintStream = bytes(prefix + "hints");
        this.owner = owner;
    }

    /** Starts reading. Called once. */
    void start(String threadName) {
        thread = new Thread(this, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Ends a read in flight and the thread (the {@link Membership} must be closed first); waits up to patience. */
    void stop(Duration patience) {
        closeConnection();
        if (thread == null) {
            return;
        }
        try {
            thread.join(patience.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        while (!membership.isClosed()) {
            Cursor cursor;
            try {
                cursor = membership.awaitCursor(leaseTime);
            } catch (InterruptedException interrupted) {
                return;
            }
            if (cursor != null) {
                readSafely(cursor);
            }
        }
        closeConnection();
    }

    private void readSafely(Cursor cursor) {
        try {
            read(cursor);
            failingUnexpectedly = false;
        } catch (Throwable failure) {
            closeConnection();
            if (membership.isClosed()) {
                return;
            }
            logFailure(failure);
            membership.readFailed(cursor, failure);
        }
    }

    private void read(Cursor cursor) {
        List<StreamOffset<byte[]>> offsets = new ArrayList<>(2);
        offsets.add(StreamOffset.create(hintStream, ReadOffset.from(cursor.hintsFrom())));
        if (cursor.fromSeq() >= 0) {
            offsets.add(StreamOffset.create(logStream, ReadOffset.from("0-" + cursor.fromSeq())));
        }
        @SuppressWarnings("unchecked")
        List<ByteRecord> records = connection().streamCommands().xRead(options, offsets.toArray(StreamOffset[]::new));
        decode(cursor, records == null ? List.of() : records);
    }

    /** Positions advance past entries whose key this member cannot parse; the protocol sees every position. */
    private void decode(Cursor cursor, List<ByteRecord> records) {
        List<SharedEvent<K>> events = new ArrayList<>();
        List<List<K>> hints = new ArrayList<>();
        long firstSeq = 0;
        long lastSeq = 0;
        String foreignEpoch = null;
        String lastHint = cursor.hintsFrom();
        for (ByteRecord record : records) {
            Map<String, String> fields = fields(record.getValue());
            if (logKey.equals(text(record.getStream()))) {
                long seq = record.getId().getSequence();
                firstSeq = firstSeq == 0 ? seq : firstSeq;
                lastSeq = seq;
                String epoch = EventFields.epoch(fields);
                if (epoch != null && !epoch.equals(cursor.epoch())) {
                    foreignEpoch = epoch;
                }
                K key = keys.parse(EventFields.key(fields));
                if (key != null) {
                    events.add(EventFields.fromLog(key, seq, fields));
                }
            } else {
                lastHint = record.getId().getValue();
                addHint(fields.getOrDefault("h", ""), hints);
            }
        }
        membership.read(new LogRead(cursor, firstSeq, lastSeq, foreignEpoch, lastHint, !events.isEmpty(),
                !hints.isEmpty()), events, hints);
    }

    /** An empty hint asks for a full round; a hint none of whose keys this member can parse asks for nothing. */
    private void addHint(String hint, List<List<K>> hints) {
        if (hint.isEmpty()) {
            hints.add(List.of());
            return;
        }
        List<K> hinted = keys.parseAll(List.of(hint.split("\n")));
        if (!hinted.isEmpty()) {
            hints.add(hinted);
        }
    }

    private void logFailure(Throwable failure) {
        if (failure instanceof RuntimeException) {
            LOG.log(Level.DEBUG, () -> owner + ": a read of the shared log failed, retrying: " + failure);
        } else if (!failingUnexpectedly) {
            failingUnexpectedly = true;
            LOG.log(Level.ERROR, owner + ": a read of the shared log failed unexpectedly, retrying", failure);
        } else {
            LOG.log(Level.DEBUG, () -> owner + ": a read of the shared log failed again: " + failure);
        }
    }

    private RedisConnection connection() {
        RedisConnection current = connection.get();
        if (current != null && !current.isClosed()) {
            return current;
        }
        RedisConnection opened = connectionFactory.getConnection();
        if (!connection.compareAndSet(current, opened) || membership.isClosed()) {
            closeQuietly(opened);
            throw new IllegalStateException(owner + " is closed");
        }
        return opened;
    }

    private void closeConnection() {
        RedisConnection current = connection.getAndSet(null);
        if (current != null) {
            closeQuietly(current);
        }
    }

    private static void closeQuietly(RedisConnection connection) {
        try {
            connection.close();
        } catch (RuntimeException alreadyBroken) {
            // nothing to release
        }
    }

    private static Map<String, String> fields(Map<byte[], byte[]> raw) {
        Map<String, String> fields = new LinkedHashMap<>();
        raw.forEach((name, value) -> fields.put(text(name), text(value)));
        return fields;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
