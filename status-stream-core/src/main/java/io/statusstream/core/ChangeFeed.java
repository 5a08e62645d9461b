package io.statusstream.core;

import java.util.List;

/**
 * Where an engine's changes come from: its own polls ({@link LocalFeed}), or a cluster's shared log with a fallback
 * to its own polls ({@link ClusterFollower}). The engine's facade calls it without knowing which, so local mode has
 * no cluster branches.
 *
 * <p>{@link #start()} runs on the thread that builds the engine and {@link #close()} on the one that closes it;
 * {@link #acceptsTouch}, {@link #notifierListener} and the gauges on any thread; every other method on the poller.
 *
 * @param <K> key type
 */
interface ChangeFeed<K> {

    /**
     * One periodic round.
     *
     * @return whether the source answered (else the next round backs off)
     */
    boolean round();

    /** Newly subscribed keys need their first state. */
    void load(List<K> keys);

    /** Coalesced {@code touch} and {@code pollNow} hints. */
    void hinted(HintCoalescer.Hint<K> hint);

    /** Whether a {@code touch} of this key is worth a hint; any thread. */
    boolean acceptsTouch(K key);

    /** How the notifier's hints reach this feed, given the engine's coalescer of touches; any thread. */
    ChangeNotifier.Listener<K> notifierListener(HintCoalescer<K> touches);

    /** Connects whatever the feed needs beyond the source; once, before the first round. */
    void start();

    /** Disconnects it; idempotent. */
    void close();

    /** Where events come from now; any thread. */
    StreamStats.Mode mode();

    /**
     * Whether the engine polls this key for other instances (as a cluster's leader) although no local subscriber
     * watches it; poller.
     */
    boolean pollsForOthers(K key);

    /** Whether this instance polls for a cluster; any thread. */
    boolean isClusterPoller();

    /** Why this instance does not fan out from its cluster's log, or {@code null}; any thread. */
    String clusterFailure();
}
