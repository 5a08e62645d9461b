package io.statusstream.core;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Cluster mode: fans out from the cluster's shared log while joined ({@link StreamStats.Mode#CLUSTER}), polls alone
 * while the cluster is unreachable ({@link StreamStats.Mode#LOCAL_FALLBACK}), and waits for a covering round while
 * {@link StreamStats.Mode#JOINING}; runs the {@link ClusterLeader} role at every round.
 *
 * <p>Mode and epoch change on the poller only: every channel then becomes stale and is reloaded in the new epoch,
 * so subscribers are told only what really changed. Everything the cluster calls ({@link ClusterMember}) moves onto
 * the poller. Poller-confined but for {@link #mode()}, {@link #clusterFailure()} and {@link #isClusterPoller()}
 * (volatile reads), {@link #acceptsTouch} and the notifier listener.
 */
final class ClusterFollower<K, S> implements ChangeFeed<K> {

    private static final System.Logger LOG = System.getLogger(StatusStream.class.getName());

    private final String name;
    private final StreamCluster<K> cluster;
    private final ClusterLeader<K, S> leader;
    private final LocalPublisher<K, S> local;
    private final LocalFeed<K, S> alone;
    private final ChannelRegistry<K, S> registry;
    private final ChangeNotifier<K> notifier;
    private final PollerTasks poller;
    private final Writers writers;
    private final StreamMetrics metrics;
    private final int historySize;
    private final HintCoalescer<K> leaderHints;
    /** Written on the poller; read anywhere. */
    private volatile StreamStats.Mode mode = StreamStats.Mode.LOCAL_FALLBACK;
    private volatile String clusterFailure = "not joined yet";

    ClusterFollower(Settings settings, StreamCluster<K> cluster, ClusterLeader<K, S> leader,
                    LocalPublisher<K, S> local, ChannelRegistry<K, S> registry, ChangeNotifier<K> notifier,
                    PollerTasks poller, Writers writers, StreamMetrics metrics) {
        this.name = settings.name();
        this.cluster = cluster;
        this.leader = leader;
        this.local = local;
        this.alone = new LocalFeed<>(local, registry);
        this.registry = registry;
        this.notifier = notifier;
        this.poller = poller;
        this.writers = writers;
        this.metrics = metrics;
        this.historySize = settings.replaySize() + 1;
        this.leaderHints = new HintCoalescer<>(poller,
                hint -> leader.hinted(hint.all() ? List.of() : hint.keys()));
    }

    @Override
    public void start() {
        cluster.start(new ClusterMember());
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (RuntimeException failure) {
            LOG.log(Level.WARNING, "Status stream '" + name + "': its cluster failed to close", failure);
        }
    }

    /** Whether this instance polls its own keys: not joined to the cluster. */
    private boolean isAlone() {
        StreamStats.Mode current = mode;
        return current == StreamStats.Mode.LOCAL_FALLBACK;
    }

    @Override
    public boolean round() {
        boolean succeeded = leader.round();
        if (isAlone()) {
            succeeded &= local.pollAll();
        } else if (mode == StreamStats.Mode.CLUSTER) {
            loadShared(registry.unloadedKeys());
        }
        return succeeded;
    }

    @Override
    public void load(List<K> keys) {
        if (isAlone()) {
            local.poll(keys);
        } else if (mode == StreamStats.Mode.CLUSTER) {
            loadShared(keys);
        }
        // JOINING: joined() loads every channel.
    }

    @Override
    public void hinted(HintCoalescer.Hint<K> hint) {
        if (isAlone()) {
            alone.hinted(hint);
        } else {
            hintCluster(hint.keys());
        }
    }

    /** In a cluster a key may be watched on another instance only: the leader decides. */
    @Override
    public boolean acceptsTouch(K key) {
        return !isAlone() || registry.isWatched(key);
    }

    /**
     * A broadcast notifier's hints (PostgreSQL {@code NOTIFY} reaches every instance) are acted on by the cluster's
     * poller only while this instance follows the log; other notifiers' hints are passed to the leader.
     */
    @Override
    public ChangeNotifier.Listener<K> notifierListener(HintCoalescer<K> touches) {
        return new ChangeNotifier.Listener<>() {
            @Override
            public void keysChanged(Collection<? extends K> keys) {
                if (actsOnHintsAlone()) {
                    List<K> accepted = new ArrayList<>(keys.size());
                    for (K key : keys) {
                        if (key != null && acceptsTouch(key)) {
                            accepted.add(key);
                        }
                    }
                    touches.hint(accepted);
                } else if (cluster.leaderToken() != 0) {
                    leaderHints.hint(keys);
                }
                // else: the cluster's poller received the same notification.
            }

            @Override
            public void resync() {
                if (actsOnHintsAlone()) {
                    touches.hintAll();
                } else if (cluster.leaderToken() != 0) {
                    leaderHints.hintAll();
                }
            }
        };
    }

    private boolean actsOnHintsAlone() {
        return !notifier.broadcast() || isAlone();
    }

    @Override
    public boolean pollsForOthers(K key) {
        return leader.tracks(key);
    }

    @Override
    public StreamStats.Mode mode() {
        return mode;
    }

    @Override
    public boolean isClusterPoller() {
        return leader.isLeading();
    }

    @Override
    public String clusterFailure() {
        return clusterFailure;
    }

    /** Passes a hint to the cluster's leader; empty asks for a full round. */
    private void hintCluster(List<K> keys) {
        try {
            cluster.hint(keys);
        } catch (RuntimeException unreachable) {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': hint to the cluster failed: " + unreachable);
        }
    }

    /**
     * Loads channels from the shared log, with their recent history for replay; asks the leader to load keys the
     * log has no state of yet. Keys that stay unloaded are retried at the next round.
     */
    private void loadShared(List<K> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Map<K, List<SharedEvent<K>>> history;
        try {
            history = cluster.history(keys, historySize);
        } catch (RuntimeException unreachable) {
            LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': reading shared states failed: " + unreachable);
            return;
        }
        List<K> missing = new ArrayList<>();
        long now = poller.nanoTime();
        registry.publish(publication -> {
            Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections = publication.corrections();
            for (K key : keys) {
                KeyChannel<K, S> channel = publication.channel(key);
                List<SharedEvent<K>> events = history.get(key);
                if (channel == null || channel.isLoaded()) {
                    continue;
                }
                if (events == null || events.isEmpty()) {
                    missing.add(key);
                } else {
                    loadShared(publication, channel, events, now, corrections);
                }
            }
            publication.offerInOrder(corrections);
        }).deliver(writers, metrics);
        if (!missing.isEmpty()) {
            try {
                cluster.load(missing);
            } catch (RuntimeException unreachable) {
                LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': load request failed: " + unreachable);
            }
        }
    }

    /** Loads a channel from shared events, oldest first, the last being current; under the registry's lock. */
    private void loadShared(Publication<K, S> publication, KeyChannel<K, S> channel,
                            List<SharedEvent<K>> events, long now,
                            Map<Subscriber<K, S>, List<EncodedEvent<K>>> corrections) {
        String epoch = publication.epoch();
        SharedEvent<K> first = events.get(0);
        SharedEvent<K> last = events.get(events.size() - 1);
        EncodedEvent<K> live = null;
        if (channel.isKnown() && (channel.isPresent() != last.present()
                || !last.snapshotData().equals(channel.knownSnapshotData()))) {
            live = encodeShared(epoch, last, now);
        }
        List<ChannelRegistry.Change<K, S>> changes = new ArrayList<>(events.size() - 1);
        for (SharedEvent<K> event : events.subList(1, events.size())) {
            changes.add(new ChannelRegistry.Change<>(Observed.shared(event.present()), event.snapshotData(),
                    encodeShared(epoch, event, now)));
        }
        publication.load(channel, Observed.shared(first.present()), first.seq(), first.snapshotData(), changes, live,
                corrections, now);
    }

    /** Fans out events from the shared log. */
    private void applyShared(String logEpoch, List<SharedEvent<K>> events) {
        long now = poller.nanoTime();
        registry.publish(publication -> {
            if (mode != StreamStats.Mode.CLUSTER || !logEpoch.equals(publication.epoch())) {
                return;
            }
            for (SharedEvent<K> event : events) {
                KeyChannel<K, S> channel = publication.channel(event.key());
                if (channel == null) {
                    publication.published(event.seq());
                } else if (!channel.isLoaded()) {
                    loadShared(publication, channel, List.of(event), now, null);
                } else if (event.seq() > channel.stateSeq()) {
                    publication.change(channel, Observed.shared(event.present()), event.snapshotData(),
                            encodeShared(logEpoch, event, now));
                }
            }
        }).deliver(writers, metrics);
    }

    private static <K> EncodedEvent<K> encodeShared(String epoch, SharedEvent<K> event, long now) {
        return new EncodedEvent<>(event.key(), event.seq(), SseFrames.utf8(SseFrames.event(
                EventId.format(epoch, event.seq()), event.data())), now, true);
    }

    /** Changes mode and, if {@code newEpoch} is given, the epoch: every channel becomes stale, to be reloaded. */
    private void switchTo(StreamStats.Mode newMode, String newEpoch, String failure) {
        if (newEpoch != null) {
            registry.switchEpoch(newEpoch, newMode == StreamStats.Mode.CLUSTER ? 0 : local.lastSeq());
        }
        mode = newMode;
        clusterFailure = failure;
        metrics.modeChanged(newMode);
    }

    private void joining() {
        if (mode == StreamStats.Mode.LOCAL_FALLBACK) {
            switchTo(StreamStats.Mode.JOINING, null, clusterFailure);
            LOG.log(Level.DEBUG, () -> "Status stream '" + name + "': cluster reachable, joining");
        }
    }

    private void joined(String clusterEpoch, long logSeq) {
        if (mode == StreamStats.Mode.CLUSTER && clusterEpoch.equals(registry.epoch())) {
            return;
        }
        switchTo(StreamStats.Mode.CLUSTER, clusterEpoch, null);
        registry.publish(publication -> publication.published(logSeq));
        LOG.log(Level.INFO, () -> "Status stream '" + name + "' fans out from the cluster's shared log now (epoch "
                + clusterEpoch + ", " + registry.watchedKeys().size() + " keys)");
        loadShared(registry.unloadedKeys());
    }

    private void lost(Throwable cause) {
        leader.stepDown(cause);
        if (mode == StreamStats.Mode.LOCAL_FALLBACK) {
            clusterFailure = String.valueOf(cause);
            return;
        }
        StreamStats.Mode was = mode;
        switchTo(StreamStats.Mode.LOCAL_FALLBACK, was == StreamStats.Mode.CLUSTER ? EventId.newEpoch() : null,
                String.valueOf(cause));
        LOG.log(Level.WARNING, "Status stream '" + name + "': its cluster is unreachable (" + cause + "); this"
                + " instance polls its own keys, with its own event ids, until the cluster is back");
        local.pollAll();
    }

    /** The engine as its cluster sees it: every call returns at once and moves its work onto the poller. */
    private final class ClusterMember implements StreamCluster.Member<K> {

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<K> watchedKeys() {
            return registry.watchedKeySet();
        }

        @Override
        public void hinted(Collection<K> keys) {
            if (keys.isEmpty()) {
                leaderHints.hintAll();
            } else {
                leaderHints.hint(keys);
            }
        }

        @Override
        public void joining() {
            poller.runSoon(ClusterFollower.this::joining);
        }

        @Override
        public boolean pollsAlone() {
            return mode != StreamStats.Mode.JOINING;
        }

        @Override
        public void joined(String clusterEpoch, long logSeq) {
            Objects.requireNonNull(clusterEpoch, "epoch");
            poller.runSoon(() -> ClusterFollower.this.joined(clusterEpoch, logSeq));
        }

        @Override
        public void received(String logEpoch, List<SharedEvent<K>> events) {
            List<SharedEvent<K>> copy = List.copyOf(events);
            poller.runSoon(() -> applyShared(logEpoch, copy));
        }

        @Override
        public void lost(Throwable cause) {
            poller.runSoon(() -> ClusterFollower.this.lost(cause));
        }
    }
}
