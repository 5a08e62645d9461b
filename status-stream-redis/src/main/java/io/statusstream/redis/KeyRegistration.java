package io.statusstream.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which of this member's watched keys Redis has, so that a heartbeat sends only what changed: the keys added and
 * removed since the last heartbeat that succeeded, or every key (the set replaced) after a failure, a loss, or a
 * registration that expired in Redis.
 *
 * <p><b>Threads.</b> {@link #next} and {@link #sent} are called by the heartbeat thread only, one heartbeat at a
 * time; the set of keys Redis has is confined to it. {@link #loaded} and {@link #resendAll} may be called from any
 * thread at any time and never block.
 */
final class KeyRegistration {

    /**
     * What one heartbeat registers.
     *
     * @param reset   whether the member's set in Redis is replaced ({@code added} is then every watched key)
     * @param added   keys to add
     * @param removed keys to remove
     * @param watched every key the member watches now
     */
    record Delta(boolean reset, List<String> added, List<String> removed, Set<String> watched) {

        Delta {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            watched = Set.copyOf(watched);
        }
    }

    /** Heartbeat-confined. */
    private final Set<String> sent = new HashSet<>();
    /** Keys the member registered itself ({@code load}) since the last heartbeat: removed if nobody watches them. */
    private final Set<String> loaded = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean resend = new AtomicBoolean(true);

    /** What the next heartbeat sends, for the keys watched now. The first heartbeat sends every key. */
    Delta next(Set<String> watched) {
        boolean reset = resend.getAndSet(false);
        Set<String> loadedNow = new HashSet<>(loaded);
        loaded.removeAll(loadedNow);
        List<String> added = new ArrayList<>();
        for (String key : watched) {
            if (reset || !sent.contains(key)) {
                added.add(key);
            }
        }
        Set<String> removed = new LinkedHashSet<>();
        if (!reset) {
            for (String key : sent) {
                if (!watched.contains(key)) {
                    removed.add(key);
                }
            }
            for (String key : loadedNow) {
                if (!watched.contains(key)) {
                    removed.add(key);
                }
            }
        }
        return new Delta(reset, added, new ArrayList<>(removed), watched);
    }

    /**
     * The heartbeat carrying {@code delta} succeeded.
     *
     * @param wasRegistered whether Redis still had the member before it: if not, its set had expired and held only
     *                      what this heartbeat added, so the next one sends every key
     */
    void sent(Delta delta, boolean wasRegistered) {
        sent.clear();
        sent.addAll(delta.watched());
        if (!delta.reset() && !wasRegistered) {
            resend.set(true);
        }
    }

    /** Keys the member registered outside a heartbeat. */
    void loaded(Collection<String> keys) {
        loaded.addAll(keys);
    }

    /** The next heartbeat replaces the member's set: after a failed heartbeat (its changes may or may not be in). */
    void resendAll() {
        resend.set(true);
    }
}
