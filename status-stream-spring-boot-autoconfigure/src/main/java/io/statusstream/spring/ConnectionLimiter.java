package io.statusstream.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts open streams of the whole application and of each principal, refuses those over the limits, and can ask
 * the holders of the places a refused request wanted to prove that their clients are still there.
 *
 * <p>A servlet container does not notice a client that closed an idle stream (a bodiless {@code GET}: nothing is
 * read once the request has been, and nothing is written to an idle stream but heartbeats), so a closed stream keeps
 * its place until a write to it fails. {@link #probeHolders} makes those writes happen now, for the places that
 * matter: the refused principal's, or for the global limit everybody's (at most once per {@link #PROBE_GAP}).
 *
 * <p>Thread-safe: one atomic counter, and per-principal holder sets changed only inside the concurrent map's atomic
 * {@code compute}, whose entry is removed when it empties, so that the map holds only principals with open streams.
 * Every granted {@link Permit} must be released exactly once; releasing twice is harmless.
 */
final class ConnectionLimiter {

    /**
     * How long after a probe the next step waits: a probe's write to a closed connection succeeds, the client's
     * system answers it with a reset, and only the next write fails. More than a round trip to any client.
     */
    static final Duration PROBE_GAP = Duration.ofMillis(250);

    /** Why a connection was refused. */
    enum Refusal {
        NONE, GLOBAL_LIMIT, PRINCIPAL_LIMIT
    }

    /** Only ever lowered, to fit the web server's own connection limit ({@link ServerConnectionLimit}). */
    private volatile int maxConnections;
    private final int maxPerPrincipal;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Permit> held = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, Set<Permit>> heldByPrincipal = new ConcurrentHashMap<>();
    private final AtomicLong lastGlobalProbe;

    ConnectionLimiter(int maxConnections, int maxPerPrincipal) {
        this.maxConnections = maxConnections;
        this.maxPerPrincipal = maxPerPrincipal;
        this.lastGlobalProbe = new AtomicLong(System.nanoTime() - PROBE_GAP.toNanos());
    }

    /**
     * @param principal the principal's name, or {@code null} for an anonymous request (global limit only)
     * @return a permit; check {@link Permit#refusal()} before using it
     */
    Permit tryAcquire(String principal) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return new Permit(principal, Refusal.GLOBAL_LIMIT);
        }
        Permit permit = new Permit(principal, Refusal.NONE);
        if (principal != null) {
            boolean[] granted = new boolean[1];
            heldByPrincipal.compute(principal, (name, permits) -> {
                Set<Permit> current = permits == null ? new HashSet<>() : permits;
                granted[0] = current.size() < maxPerPrincipal;
                if (granted[0]) {
                    current.add(permit);
                }
                return current.isEmpty() ? null : current;
            });
            if (!granted[0]) {
                open.decrementAndGet();
                return new Permit(principal, Refusal.PRINCIPAL_LIMIT);
            }
        }
        held.add(permit);
        return permit;
    }

    /**
     * Probes the clients holding the places a refused permit wanted: the principal's for its limit, everybody's for
     * the global one (skipped if the last such probe is less than {@link #PROBE_GAP} ago). A holder whose client is
     * gone gives its place back once a probe's write fails.
     *
     * @param refused a permit {@link #tryAcquire} refused
     */
    void probeHolders(Permit refused) {
        switch (refused.refusal) {
            case PRINCIPAL_LIMIT -> heldBy(refused.principal).forEach(Permit::probe);
            case GLOBAL_LIMIT -> {
                long now = System.nanoTime();
                long last = lastGlobalProbe.get();
                if (now - last >= PROBE_GAP.toNanos() && lastGlobalProbe.compareAndSet(last, now)) {
                    held.forEach(Permit::probe);
                }
            }
            case NONE -> throw new IllegalArgumentException("not a refused permit");
        }
    }

    private List<Permit> heldBy(String principal) {
        List<List<Permit>> copy = new ArrayList<>(1);
        heldByPrincipal.computeIfPresent(principal, (name, permits) -> {
            copy.add(List.copyOf(permits));
            return permits;
        });
        return copy.isEmpty() ? List.of() : copy.get(0);
    }

    /** Open streams of the application. */
    /** The most open streams of the whole application: {@code status-stream.max-connections}, or lower. */
    int maxConnections() {
        return maxConnections;
    }

    /**
     * Lowers the global limit; streams already open above it stay open, new ones wait until fewer are.
     *
     * @param max the new limit, taken only if it is lower than the current one and positive
     */
    void lowerTo(int max) {
        if (max > 0 && max < maxConnections) {
            maxConnections = max;
        }
    }

    int openConnections() {
        return open.get();
    }

    /** A granted (or refused) place; see {@link #tryAcquire}. Compared by identity. */
    final class Permit {

        private final String principal;
        private final Refusal refusal;
        private final AtomicBoolean released;
        private volatile Runnable probe = () -> {
        };

        private Permit(String principal, Refusal refusal) {
            this.principal = principal;
            this.refusal = refusal;
            this.released = new AtomicBoolean(refusal != Refusal.NONE);
        }

        Refusal refusal() {
            return refusal;
        }

        /** The principal's name, {@code null} for an anonymous request. */
        String principal() {
            return principal;
        }

        /** How the holder proves its client is still there, see {@link #probeHolders}; nothing until set. */
        void onProbe(Runnable probe) {
            this.probe = probe;
        }

        private void probe() {
            if (!released.get()) {
                probe.run();
            }
        }

        /** Gives the place back; idempotent, and a no-op for a refused permit. */
        void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            held.remove(this);
            open.decrementAndGet();
            if (principal != null) {
                heldByPrincipal.computeIfPresent(principal, (name, permits) -> {
                    permits.remove(this);
                    return permits.isEmpty() ? null : permits;
                });
            }
        }
    }
}
