package io.statusstream.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Local mode: every change comes from this instance's own polls. Touches and notifier hints of watched keys are
 * polled at once; a resync polls every key. Confined to the poller, but for the methods {@link ChangeFeed} marks.
 */
final class LocalFeed<K, S> implements ChangeFeed<K> {

    private final LocalPublisher<K, S> local;
    private final ChannelRegistry<K, S> registry;

    LocalFeed(LocalPublisher<K, S> local, ChannelRegistry<K, S> registry) {
        this.local = local;
        this.registry = registry;
    }

    @Override
    public boolean round() {
        return local.pollAll();
    }

    @Override
    public void load(List<K> keys) {
        local.poll(keys);
    }

    @Override
    public void hinted(HintCoalescer.Hint<K> hint) {
        if (hint.all()) {
            local.pollAll();
            return;
        }
        List<K> watched = new ArrayList<>(hint.keys().size());
        for (K key : hint.keys()) {
            if (registry.isWatched(key)) {
                watched.add(key);
            }
        }
        local.poll(watched);
    }

    @Override
    public boolean acceptsTouch(K key) {
        return registry.isWatched(key);
    }

    @Override
    public ChangeNotifier.Listener<K> notifierListener(HintCoalescer<K> touches) {
        return new ChangeNotifier.Listener<>() {
            @Override
            public void keysChanged(Collection<? extends K> keys) {
                List<K> watched = new ArrayList<>(keys.size());
                for (K key : keys) {
                    if (key != null && registry.isWatched(key)) {
                        watched.add(key);
                    }
                }
                touches.hint(watched);
            }

            @Override
            public void resync() {
                touches.hintAll();
            }
        };
    }

    @Override
    public boolean pollsForOthers(K key) {
        return false;
    }

    @Override
    public void start() {
    }

    @Override
    public void close() {
    }

    @Override
    public StreamStats.Mode mode() {
        return StreamStats.Mode.LOCAL;
    }

    @Override
    public boolean isClusterPoller() {
        return false;
    }

    @Override
    public String clusterFailure() {
        return null;
    }
}
