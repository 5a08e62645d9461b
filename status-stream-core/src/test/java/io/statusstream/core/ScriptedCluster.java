package io.statusstream.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link StreamCluster} the test plays by hand: it decides who holds the lease, which keys the other instances
 * watch and what the log holds, delivers log events when it wants, and records what the engine appended and hinted.
 * Enforces the SPI's contract (fencing, sequence without gap) so an engine that breaks it fails the test.
 */
final class ScriptedCluster implements StreamCluster<String> {

    static final String EPOCH = "sharedepoch";

    StreamCluster.Member<String> member;
    long token;
    long seq;
    final Set<String> otherInstancesKeys = new LinkedHashSet<>();
    final Map<String, List<SharedEvent<String>>> histories = new HashMap<>();
    final List<SharedEvent<String>> appended = new ArrayList<>();
    final List<List<String>> hints = new ArrayList<>();
    final List<List<String>> loads = new ArrayList<>();
    int completedRounds;
    boolean refuseAppends;

    @Override
    public void start(Member<String> member) {
        this.member = member;
    }

    @Override
    public long leaderToken() {
        return token;
    }

    @Override
    public Round<String> beginRound(long leaseToken) {
        requireLease(leaseToken);
        Set<String> union = new LinkedHashSet<>(member.watchedKeys());
        union.addAll(otherInstancesKeys);
        return new Round<>(union, EPOCH, seq, 0);
    }

    @Override
    public Map<String, List<SharedEvent<String>>> history(Collection<? extends String> keys, int perKey) {
        Map<String, List<SharedEvent<String>>> result = new LinkedHashMap<>();
        for (String key : keys) {
            List<SharedEvent<String>> events = histories.get(key);
            if (events != null) {
                result.put(key, List.copyOf(events.subList(Math.max(0, events.size() - perKey), events.size())));
            }
        }
        return result;
    }

    @Override
    public void append(long leaseToken, List<SharedEvent<String>> events) {
        requireLease(leaseToken);
        if (refuseAppends) {
            throw new LeadershipLostException("another member holds the lease");
        }
        for (SharedEvent<String> event : events) {
            if (event.seq() != seq + 1) {
                throw new AssertionError("append at " + event.seq() + " after " + seq);
            }
            record(event);
            appended.add(event);
        }
    }

    /** Puts an event in the log as another instance's leader would have. */
    void record(SharedEvent<String> event) {
        seq = event.seq();
        histories.computeIfAbsent(event.key(), key -> new ArrayList<>()).add(event);
    }

    @Override
    public void completeRound(long leaseToken, Round<String> round) {
        requireLease(leaseToken);
        completedRounds++;
    }

    @Override
    public void forget(long leaseToken, Collection<? extends String> keys) {
        keys.forEach(histories::remove);
    }

    @Override
    public void hint(Collection<? extends String> keys) {
        hints.add(List.copyOf(keys));
    }

    @Override
    public void load(Collection<? extends String> keys) {
        loads.add(List.copyOf(keys));
    }

    @Override
    public Set<String> watchedAmong(long leaseToken, Collection<? extends String> keys) {
        requireLease(leaseToken);
        Set<String> watched = new LinkedHashSet<>();
        for (String key : keys) {
            if (otherInstancesKeys.contains(key) || member.watchedKeys().contains(key)) {
                watched.add(key);
            }
        }
        return watched;
    }

    @Override
    public void close() {
    }

    private void requireLease(long leaseToken) {
        if (leaseToken != token || token == 0) {
            throw new LeadershipLostException("lease " + leaseToken + " is not held, " + token + " is");
        }
    }

    /** An event as the starter's serializer of these tests ({@code key|KIND|state}) writes it. */
    static SharedEvent<String> event(String key, long seq, StateEvent.Kind kind, String state) {
        String data = key + "|" + kind + "|" + state;
        return new SharedEvent<>(key, seq, kind, state != null, data, key + "|SNAPSHOT|" + state);
    }
}
