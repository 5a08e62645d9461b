package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader role of an engine in a {@link StreamCluster}: polls the union of every member's watched keys and
 * appends what changed to the shared log, numbered in the log's epoch. Confined to the engine's poller thread.
 *
 * <p>What it compares fetched states with: after a takeover, the states in the log (by snapshot data, as the log holds
 * no state objects); afterwards, the states it fetched itself (by the stream's {@link ChangeDetector}). So a takeover
 * publishes only what really changed while no one led, and a change the old leader fetched but never appended is
 * published by the new one.
 */
final class ClusterLeader<K, S> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private final String name;
    private final StreamCluster<K> cluster;
    private final SourcePoller<K, S> poller;
    private final EventEncoder<K, S> encoder;
    private final Map<K, Known<S>> known = new HashMap<>();
    /** Written on the poller; read by stats from any thread. */
    private volatile long token;
    private String epoch;
    private long lastSeq;

    ClusterLeader(String name, StreamCluster<K> cluster, SourcePoller<K, S> poller, EventEncoder<K, S> encoder) {
        this.name = name;
        this.cluster = cluster;
        this.poller = poller;
        this.encoder = encoder;
    }

    boolean isLeading() {
        return token != 0;
    }

    /**
     * One round, if this member holds the lease: every watched key of the cluster is polled.
     *
     * @return {@code false} if the source failed (the caller backs off)
     */
    boolean round() {
        long current = cluster.leaderToken();
        if (current == 0) {
            stepDown(null);
            return true;
        }
        try {
            StreamCluster.Round<K> round = cluster.beginRound(current);
            if (current != token) {
                takeOver(current, round);
            }
            forgetUnwatched(round.keys());
            boolean succeeded = poll(List.copyOf(round.keys()));
            if (succeeded) {
                cluster.completeRound(token, round);
            }
            return succeeded;
        } catch (RuntimeException clusterFailed) {
            // Lease lost, log unreachable: the source is fine, so no backoff; the cluster reports the outage.
            stepDown(clusterFailed);
            return true;
        }
    }

    /**
     * Polls hinted keys now; a full round when {@code keys} is empty (a member joining, a resync) or the lease was
     * just taken; nothing if not leading.
     */
    void hinted(Collection<K> keys) {
        long current = cluster.leaderToken();
        if (current == 0) {
            return;
        }
        if (current != token || keys.isEmpty()) {
            round();
            return;
        }
        try {
            poll(watchedAmong(keys));
        } catch (RuntimeException clusterFailed) {
            stepDown(clusterFailed);
        }
    }

    /**
     * The hinted keys some member watches: a touch may name keys nobody watches, which must not be loaded into the
     * log. Keys this leader does not track yet cost one look at the cluster's watched keys.
     */
    private List<K> watchedAmong(Collection<K> keys) {
        List<K> watched = new ArrayList<>(keys.size());
        List<K> unknown = new ArrayList<>();
        for (K key : keys) {
            (known.containsKey(key) ? watched : unknown).add(key);
        }
        if (!unknown.isEmpty()) {
            watched.addAll(cluster.watchedAmong(token, unknown));
        }
        return watched;
    }

    /** Whether this leader polls the key for the cluster; on the poller. */
    boolean tracks(K key) {
        return known.containsKey(key);
    }

    void stepDown(Throwable cause) {
        if (token == 0) {
            return;
        }
        long lost = token;
        token = 0;
        known.clear();
        LOG.log(Level.INFO, () -> "Status stream '" + name + "': no longer the cluster's poller (lease "
                + lost + (cause == null ? " expired or released" : ": " + cause) + ")");
    }

    private void takeOver(long newToken, StreamCluster.Round<K> round) {
        known.clear();
        token = newToken;
        epoch = round.epoch();
        lastSeq = round.lastSeq();
        LOG.log(Level.INFO, () -> "Status stream '" + name + "': this instance polls for the cluster now"
                + " (lease " + newToken + ", epoch " + round.epoch() + ", log at " + round.lastSeq() + ", "
                + round.keys().size() + " keys); a full poll follows");
    }

    private void forgetUnwatched(Set<K> watched) {
        List<K> unwatched = new ArrayList<>();
        for (K key : known.keySet()) {
            if (!watched.contains(key)) {
                unwatched.add(key);
            }
        }
        if (!unwatched.isEmpty()) {
            unwatched.forEach(known::remove);
            cluster.forget(token, unwatched);
        }
    }

    private boolean poll(List<K> keys) {
        readBaseline(keys);
        return poller.poll(keys, this::publish);
    }

    /** Keys this leader has not polled yet are compared with their state in the log, if it has one. */
    private void readBaseline(List<K> keys) {
        List<K> unknown = new ArrayList<>();
        for (K key : keys) {
            if (!known.containsKey(key)) {
                unknown.add(key);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        for (Map.Entry<K, List<SharedEvent<K>>> entry : cluster.history(unknown, 1).entrySet()) {
            SharedEvent<K> last = entry.getValue().get(entry.getValue().size() - 1);
            known.put(entry.getKey(), new Known<>(Observed.shared(last.present()), last.snapshotData()));
        }
    }

    /**
     * Detects the chunk's changes and appends them; they count as known only once appended. A key whose state is
     * unchanged but known only by its data (after a takeover) is known by its state object from now on, so later
     * rounds compare with the change detector instead of serializing it again.
     */
    private SourcePoller.ChunkResult publish(List<K> chunk, Map<K, S> fetched) {
        List<SharedEvent<K>> events = new ArrayList<>();
        Map<K, Known<S>> updated = new HashMap<>();
        long seq = lastSeq;
        for (K key : chunk) {
            S current = fetched.get(key);
            Known<S> previous = known.get(key);
            long next = seq + 1;
            if (previous != null) {
                EventEncoder.Difference difference = encoder.differs(key, previous.observed(), previous.snapshotData(),
                        current, () -> encoder.encode(epoch, next, key, StateEvent.Kind.SNAPSHOT, current));
                if (difference == EventEncoder.Difference.UNKNOWN) {
                    continue;
                }
                if (difference == EventEncoder.Difference.SAME) {
                    if (!previous.observed().stateKnown()) {
                        known.put(key, new Known<>(Observed.fetched(current), previous.snapshotData()));
                    }
                    continue;
                }
            }
            SharedEvent<K> event = encode(key, next, previous == null, current);
            if (event != null) {
                seq++;
                events.add(event);
                updated.put(key, new Known<>(Observed.fetched(current), event.snapshotData()));
            }
        }
        if (!events.isEmpty()) {
            try {
                cluster.append(token, events);
            } catch (StreamCluster.LeadershipLostException lost) {
                throw lost;
            } catch (RuntimeException failure) {
                throw new SharedLogFailure(failure);
            }
            lastSeq = seq;
            known.putAll(updated);
        }
        return new SourcePoller.ChunkResult(events.size(), 0);
    }

    private SharedEvent<K> encode(K key, long seq, boolean load, S state) {
        StateEvent.Kind kind = load ? StateEvent.Kind.SNAPSHOT
                : state == null ? StateEvent.Kind.REMOVED : StateEvent.Kind.CHANGE;
        String snapshotData = encoder.encode(epoch, seq, key, StateEvent.Kind.SNAPSHOT, state);
        if (snapshotData == null) {
            return null;
        }
        String data = load ? snapshotData : encoder.encode(epoch, seq, key, kind, state);
        return data == null ? null : new SharedEvent<>(key, seq, kind, state != null, data, snapshotData);
    }

    /** What the leader last published for a key. */
    private record Known<S>(Observed<S> observed, String snapshotData) {
    }

    /** The shared log failed while the source did not: not counted as a source failure. */
    static final class SharedLogFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SharedLogFailure(Throwable cause) {
            super(cause.toString(), cause);
        }
    }
}
