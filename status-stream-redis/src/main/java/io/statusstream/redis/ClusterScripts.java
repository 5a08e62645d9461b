package io.statusstream.redis;

import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

import java.util.List;

/**
 * The Lua scripts of {@link RedisStreamCluster}. Each runs atomically in Redis, so a lease check and the write it
 * guards cannot be separated by another member's write; times come from Redis' own clock ({@code TIME}), so members'
 * clocks do not matter. Every key of a stream starts with the same prefix holding a hash tag ({@code {name}}), so all
 * of them live in one slot of a Redis Cluster.
 *
 * <p>Keys under the prefix {@code P}: {@code P epoch}, {@code P seq}, {@code P fence}, {@code P lease}
 * ({@code member:token}), {@code P round} ({@code token:startedAt}), {@code P members} (sorted set, score = expiry),
 * {@code P keys:<member>} (set of watched keys, expires), {@code P log} (stream of every event), {@code P h:<key>}
 * (stream of one key's recent events), {@code P known} (keys that have a history), {@code P hints} (stream).
 * Stream entry ids are {@code 0-<seq>}.
 */
final class ClusterScripts {

    private static final String NOW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    private static final String REQUIRE_LEASE = """
            if redis.call('GET', P .. 'lease') ~= ARGV[2] .. ':' .. ARGV[3] then
              return redis.error_reply('LEASE lost: ' .. tostring(redis.call('GET', P .. 'lease')))
            end
            """;

    /**
     * ARGV: prefix, member, member ttl ms, lease ms, epoch to create, reset (1/0), n, added keys..., m, removed keys...
     * Returns: epoch, token held (0 if none), now, log seq, last completed round ({@code token:startedAt} or ''),
     * whether the member was still registered (1/0; if not, its keys must be sent again), the newest hint's id.
     */
    static final RedisScript<List> HEARTBEAT = script("""
            local P, member = ARGV[1], ARGV[2]
            local ttl, leaseMs = tonumber(ARGV[3]), tonumber(ARGV[4])
            """ + NOW + """
            local epoch = redis.call('GET', P .. 'epoch')
            if not epoch then
              epoch = ARGV[5]
              redis.call('SET', P .. 'epoch', epoch)
            end
            local registered = redis.call('ZSCORE', P .. 'members', member) and '1' or '0'
            redis.call('ZADD', P .. 'members', now + ttl, member)
            local keys = P .. 'keys:' .. member
            if ARGV[6] == '1' then redis.call('DEL', keys) end
            local i = 7
            local n = tonumber(ARGV[i]); i = i + 1
            for j = 1, n do redis.call('SADD', keys, ARGV[i]); i = i + 1 end
            n = tonumber(ARGV[i]); i = i + 1
            for j = 1, n do redis.call('SREM', keys, ARGV[i]); i = i + 1 end
            redis.call('PEXPIRE', keys, ttl)
            local token = 0
            local mine = member .. ':'
            local holder = redis.call('GET', P .. 'lease')
            if not holder then
              token = redis.call('INCR', P .. 'fence')
              redis.call('SET', P .. 'lease', mine .. token, 'PX', leaseMs)
            elseif string.sub(holder, 1, #mine) == mine then
              token = tonumber(string.sub(holder, #mine + 1))
              redis.call('PEXPIRE', P .. 'lease', leaseMs)
            end
            local lastHint = redis.call('XREVRANGE', P .. 'hints', '+', '-', 'COUNT', 1)
            return {epoch, tostring(token), tostring(now), redis.call('GET', P .. 'seq') or '0',
                    redis.call('GET', P .. 'round') or '', registered, lastHint[1] and lastHint[1][1] or '0-0'}
            """);

    /**
     * ARGV: prefix, member, token. Drops expired members and the histories of keys no live member watches.
     * Returns: epoch, log seq, now, then every watched key.
     */
    static final RedisScript<List> BEGIN_ROUND = script("""
            local P = ARGV[1]
            """ + REQUIRE_LEASE + NOW + """
            redis.call('ZREMRANGEBYSCORE', P .. 'members', '-inf', '(' .. now)
            local union = {}
            local seen = {}
            for _, m in ipairs(redis.call('ZRANGE', P .. 'members', 0, -1)) do
              for _, k in ipairs(redis.call('SMEMBERS', P .. 'keys:' .. m)) do
                if not seen[k] then seen[k] = true; union[#union + 1] = k end
              end
            end
            for _, k in ipairs(redis.call('SMEMBERS', P .. 'known')) do
              if not seen[k] then
                redis.call('DEL', P .. 'h:' .. k)
                redis.call('SREM', P .. 'known', k)
              end
            end
            local out = {redis.call('GET', P .. 'epoch') or '', redis.call('GET', P .. 'seq') or '0', tostring(now)}
            for _, k in ipairs(union) do out[#out + 1] = k end
            return out
            """);

    /**
     * ARGV: prefix, member, token, history length, log length, n, then n × (key, seq, kind, present, data,
     * snapshot data or '', snapshot is data (1/0)). Returns the new log seq.
     */
    static final RedisScript<List> APPEND = script("""
            local P = ARGV[1]
            """ + REQUIRE_LEASE + """
            local hist, logLen, n = ARGV[4], ARGV[5], tonumber(ARGV[6])
            local epoch = redis.call('GET', P .. 'epoch') or ''
            local last = tonumber(redis.call('GET', P .. 'seq') or '0')
            if n > 0 and tonumber(ARGV[8]) ~= last + 1 then
              return redis.error_reply('SEQ: the log is at ' .. last .. ', append starts at ' .. ARGV[8])
            end
            local i = 7
            for j = 1, n do
              local key, seq = ARGV[i], ARGV[i + 1]
              local id = '0-' .. seq
              if ARGV[i + 6] == '1' then
                redis.call('XADD', P .. 'log', 'MAXLEN', '~', logLen, id, 'e', epoch, 'k', key, 't', ARGV[i + 2], 'p', ARGV[i + 3], 'd', ARGV[i + 4])
                redis.call('XADD', P .. 'h:' .. key, 'MAXLEN', hist, id, 't', ARGV[i + 2], 'p', ARGV[i + 3], 'd', ARGV[i + 4])
              else
                redis.call('XADD', P .. 'log', 'MAXLEN', '~', logLen, id, 'e', epoch, 'k', key, 't', ARGV[i + 2], 'p', ARGV[i + 3], 'd', ARGV[i + 4], 'n', ARGV[i + 5])
                redis.call('XADD', P .. 'h:' .. key, 'MAXLEN', hist, id, 't', ARGV[i + 2], 'p', ARGV[i + 3], 'd', ARGV[i + 4], 'n', ARGV[i + 5])
              end
              redis.call('SADD', P .. 'known', key)
              last = tonumber(seq)
              i = i + 7
            end
            redis.call('SET', P .. 'seq', tostring(last))
            return {tostring(last)}
            """);

    /** ARGV: prefix, member, token, startedAt. */
    static final RedisScript<List> COMPLETE_ROUND = script("""
            local P = ARGV[1]
            """ + REQUIRE_LEASE + """
            redis.call('SET', P .. 'round', ARGV[3] .. ':' .. ARGV[4])
            return {'OK'}
            """);

    /** ARGV: prefix, member, token, then keys whose histories to drop. */
    static final RedisScript<List> FORGET = script("""
            local P = ARGV[1]
            """ + REQUIRE_LEASE + """
            for i = 4, #ARGV do
              redis.call('DEL', P .. 'h:' .. ARGV[i])
              redis.call('SREM', P .. 'known', ARGV[i])
            end
            return {'OK'}
            """);

    /**
     * ARGV: prefix, member, member ttl ms, hints length, payload, then keys to register as watched by the member
     * first (none for a plain hint).
     */
    static final RedisScript<List> HINT = script("""
            local P, member = ARGV[1], ARGV[2]
            local keys = P .. 'keys:' .. member
            for i = 6, #ARGV do redis.call('SADD', keys, ARGV[i]) end
            if #ARGV >= 6 then redis.call('PEXPIRE', keys, ARGV[3]) end
            redis.call('XADD', P .. 'hints', 'MAXLEN', '~', ARGV[4], '*', 'h', ARGV[5])
            return {'OK'}
            """);

    /**
     * ARGV: prefix, events per key, then keys. Returns, oldest first per key, 6 values per event: key, seq, kind,
     * present, data, snapshot data.
     */
    static final RedisScript<List> HISTORY = script("""
            local P, count = ARGV[1], ARGV[2]
            local out = {}
            for i = 3, #ARGV do
              local key = ARGV[i]
              local entries = redis.call('XREVRANGE', P .. 'h:' .. key, '+', '-', 'COUNT', count)
              for e = #entries, 1, -1 do
                local f = {}
                local fields = entries[e][2]
                for x = 1, #fields, 2 do f[fields[x]] = fields[x + 1] end
                out[#out + 1] = key
                out[#out + 1] = string.sub(entries[e][1], 3)
                out[#out + 1] = f['t']
                out[#out + 1] = f['p']
                out[#out + 1] = f['d']
                out[#out + 1] = f['n'] or f['d']
              end
            end
            return out
            """);

    /** ARGV: prefix, member, token, then keys. Returns those some live member watches. No side effect. */
    static final RedisScript<List> WATCHED_AMONG = script("""
            local P = ARGV[1]
            """ + REQUIRE_LEASE + NOW + """
            local members = redis.call('ZRANGEBYSCORE', P .. 'members', now, '+inf')
            local out = {}
            for i = 4, #ARGV do
              for _, m in ipairs(members) do
                if redis.call('SISMEMBER', P .. 'keys:' .. m, ARGV[i]) == 1 then
                  out[#out + 1] = ARGV[i]
                  break
                end
              end
            end
            return out
            """);

    /**
     * ARGV: prefix, epoch seen, new epoch, log position read. Starts a new epoch if the seen one is still current and
     * the log is really behind the position this member read in it.
     */
    static final RedisScript<List> RENEW_EPOCH = script("""
            local P = ARGV[1]
            if redis.call('GET', P .. 'epoch') == ARGV[2]
                and tonumber(redis.call('GET', P .. 'seq') or '0') < tonumber(ARGV[4]) then
              redis.call('SET', P .. 'epoch', ARGV[3])
            end
            return {redis.call('GET', P .. 'epoch') or ''}
            """);

    /** ARGV: prefix, member. Releases the lease if held and leaves the member list. */
    static final RedisScript<List> LEAVE = script("""
            local P, member = ARGV[1], ARGV[2]
            local holder = redis.call('GET', P .. 'lease')
            if holder and string.sub(holder, 1, #member + 1) == member .. ':' then redis.call('DEL', P .. 'lease') end
            redis.call('ZREM', P .. 'members', member)
            redis.call('DEL', P .. 'keys:' .. member)
            return {'OK'}
            """);

    private ClusterScripts() {
    }

    private static RedisScript<List> script(String lua) {
        return new DefaultRedisScript<>(lua, List.class);
    }
}
