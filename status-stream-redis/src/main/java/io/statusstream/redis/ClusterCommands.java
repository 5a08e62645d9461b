package io.statusstream.redis;

import io.statusstream.core.StreamCluster.LeadershipLostException;
import io.statusstream.redis.ScriptReplies.AppendReply;
import io.statusstream.redis.ScriptReplies.EpochReply;
import io.statusstream.redis.ScriptReplies.HeartbeatReply;
import io.statusstream.redis.ScriptReplies.HistoryEntry;
import io.statusstream.redis.ScriptReplies.RoundReply;
import io.statusstream.redis.ScriptReplies.WatchedReply;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The calls of one member of one stream to Redis: each a single {@link ClusterScripts} script, its arguments built
 * and its reply decoded ({@link ScriptReplies}) here. Keys are text; every call blocks on I/O for up to the
 * connection's command timeout and throws what Spring Data Redis throws when Redis is unreachable. A fenced call that
 * finds the lease another's, or the log not where the leader thought, throws {@link LeadershipLostException}.
 *
 * <p>Stateless apart from its settings; thread-safe (the template is), takes no lock.
 */
final class ClusterCommands {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final StringRedisTemplate redis;
    private final ClusterSettings settings;
    private final String prefix;
    /** The first key tells Redis Cluster where to run a script; every key of the stream shares its slot. */
    private final List<String> routingKey;

    ClusterCommands(StringRedisTemplate redis, ClusterSettings settings, String streamName) {
        this.redis = redis;
        this.settings = settings;
        this.prefix = settings.keyPrefix(streamName);
        this.routingKey = List.of(prefix + "epoch");
    }

    String prefix() {
        return prefix;
    }

    /** Registers keys, takes or renews the lease, and reads where the cluster is. */
    HeartbeatReply heartbeat(KeyRegistration.Delta delta) {
        List<String> args = new ArrayList<>(9 + delta.added().size() + delta.removed().size());
        args.addAll(List.of(prefix, settings.memberId(), Long.toString(settings.memberTtlMillis()),
                Long.toString(settings.leaseTime().toMillis()), newEpoch(), delta.reset() ? "1" : "0"));
        args.add(Integer.toString(delta.added().size()));
        args.addAll(delta.added());
        args.add(Integer.toString(delta.removed().size()));
        args.addAll(delta.removed());
        return HeartbeatReply.decode(run(ClusterScripts.HEARTBEAT, args));
    }

    RoundReply beginRound(long token) {
        return RoundReply.decode(fenced(ClusterScripts.BEGIN_ROUND, fencedArgs(token)));
    }

    /** @param eventArgs {@link EventFields#APPEND_ARGS} arguments per event, events in order */
    AppendReply append(long token, List<String> eventArgs) {
        List<String> args = new ArrayList<>(6 + eventArgs.size());
        args.addAll(fencedArgs(token));
        args.addAll(List.of(Integer.toString(settings.historyLength()), Integer.toString(settings.logLength()),
                Integer.toString(eventArgs.size() / EventFields.APPEND_ARGS)));
        args.addAll(eventArgs);
        return AppendReply.decode(fenced(ClusterScripts.APPEND, args));
    }

    void completeRound(long token, long startedAt) {
        List<String> args = fencedArgs(token);
        args.add(Long.toString(startedAt));
        fenced(ClusterScripts.COMPLETE_ROUND, args);
    }

    void forget(long token, Collection<String> keys) {
        List<String> args = fencedArgs(token);
        args.addAll(keys);
        fenced(ClusterScripts.FORGET, args);
    }

    WatchedReply watchedAmong(long token, Collection<String> keys) {
        List<String> args = fencedArgs(token);
        args.addAll(keys);
        return WatchedReply.decode(fenced(ClusterScripts.WATCHED_AMONG, args));
    }

    /** Asks the leader to poll keys (all when empty); registers them as this member's first if {@code register}. */
    void hint(Collection<String> keys, boolean register) {
        List<String> args = new ArrayList<>(List.of(prefix, settings.memberId(),
                Long.toString(settings.memberTtlMillis()), Integer.toString(Math.max(100, settings.logLength() / 10)),
                String.join("\n", keys)));
        if (register) {
            args.addAll(keys);
        }
        run(ClusterScripts.HINT, args);
    }

    List<HistoryEntry> history(int perKey, Collection<String> keys) {
        List<String> args = new ArrayList<>(keys.size() + 2);
        args.add(prefix);
        args.add(Integer.toString(perKey));
        args.addAll(keys);
        return HistoryEntry.decodeAll(run(ClusterScripts.HISTORY, args));
    }

    /** Starts a new epoch if {@code seen} is still the epoch and the log is really behind {@code readBefore}. */
    EpochReply renewEpoch(String seen, long readBefore) {
        return EpochReply.decode(run(ClusterScripts.RENEW_EPOCH,
                List.of(prefix, seen, newEpoch(), Long.toString(readBefore))));
    }

    /** Releases the lease if held and leaves the member list. */
    void leave() {
        run(ClusterScripts.LEAVE, List.of(prefix, settings.memberId()));
    }

    private List<String> fencedArgs(long token) {
        return new ArrayList<>(List.of(prefix, settings.memberId(), Long.toString(token)));
    }

    private List<String> fenced(RedisScript<List> script, List<String> args) {
        try {
            return run(script, args);
        } catch (RuntimeException failure) {
            String message = failure.getMessage() + (failure.getCause() == null ? ""
                    : " " + failure.getCause().getMessage());
            if (message.contains("LEASE lost") || message.contains("SEQ:")) {
                throw new LeadershipLostException(message);
            }
            throw failure;
        }
    }

    private List<String> run(RedisScript<List> script, List<String> args) {
        return ScriptReplies.texts(redis.execute(script, routingKey, args.toArray()));
    }

    private static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }
}
