package io.statusstream.spring;

import io.statusstream.core.EndReason;
import io.statusstream.core.Subscription;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The open streams of the application with who opened them, and what may end them before their clients leave: the
 * access policy changing its mind (re-checks: periodic, and on demand through {@link StatusStreams#recheckAccess}),
 * the HTTP session ending (logout, invalidation, expiry) and the principal's credentials expiring.
 *
 * <p>Every re-check, expiry and session end runs on one daemon thread of its own ({@value #THREAD_NAME}), never on a
 * request thread and never on an engine's poller: the access policy may query a database. A round asks each stream
 * definition's policy once per principal ({@link StreamAccessPolicy#decideEach}) with every key that principal
 * watches there, and revokes the keys no longer allowed from each of its streams ({@link Subscription#revoke}); a
 * stream left without keys ends with {@code revoked}. A policy that throws revokes nothing: an outage is not a
 * decision.
 *
 * <p>Thread-safe: the set of open streams is concurrent; rounds run one at a time on the thread.
 */
final class OpenStreams implements AutoCloseable {

    static final String THREAD_NAME = "status-stream-access";

    private static final Log LOG = LogFactory.getLog(OpenStreams.class);

    private final Set<Open> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, THREAD_NAME);
        thread.setDaemon(true);
        return thread;
    });
    /** Streams whose policy failed in the last round, so that an outage of the policy is logged once. */
    private final Set<String> failingPolicies = ConcurrentHashMap.newKeySet();

    /**
     * @param recheckInterval how often every open stream is re-checked; zero for never (on demand only)
     */
    OpenStreams(Duration recheckInterval) {
        if (!recheckInterval.isZero()) {
            long millis = recheckInterval.toMillis();
            thread.scheduleWithFixedDelay(() -> round(stream -> true, null), millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Registers an open stream until the returned handle is ended, and schedules its end when its principal's
     * credentials expire.
     *
     * @param principal the request's principal, or {@code null}
     * @param sessionId the request's HTTP session, or {@code null}
     */
    Open opened(StreamDefinition<?, ?> definition, Principal principal, String sessionId,
                Subscription<?> subscription) {
        Open stream = new Open(definition, principal, sessionId, subscription);
        open.add(stream);
        Instant expiry = principal == null ? null : CredentialExpiry.of(principal);
        if (expiry != null) {
            long delay = Math.max(0, Duration.between(Instant.now(), expiry).toMillis());
            stream.expiry = thread.schedule(() -> stream.subscription.end(EndReason.EXPIRED), delay,
                    TimeUnit.MILLISECONDS);
        }
        return stream;
    }

    /** Re-checks every open stream of the principal now. */
    CompletionStage<Void> recheck(String principalName) {
        return submit(() -> round(stream -> stream.principal != null
                && stream.principal.getName().equals(principalName), null));
    }

    /** Re-checks these keys of one stream now, in every open stream watching any of them. */
    CompletionStage<Void> recheck(String streamName, Collection<?> keys) {
        Set<Object> only = Set.copyOf(keys);
        return submit(() -> round(stream -> stream.definition.name().equals(streamName), only));
    }

    /** Ends the streams opened in the HTTP session. */
    void sessionEnded(String sessionId, EndReason reason) {
        submit(() -> {
            for (Open stream : open) {
                if (sessionId.equals(stream.sessionId)) {
                    stream.subscription.end(reason);
                }
            }
        });
    }

    int count() {
        return open.size();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private CompletionStage<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    task.run();
                    done.complete(null);
                } catch (RuntimeException | Error failure) {
                    done.completeExceptionally(failure);
                    throw failure;
                }
            });
        } catch (RejectedExecutionException closed) {
            done.completeExceptionally(closed);
        }
        return done;
    }

    /** One round: the policy once per stream definition and principal, then the revocations. */
    private void round(Predicate<Open> which, Set<Object> onlyKeys) {
        Map<Group, List<Open>> groups = new LinkedHashMap<>();
        for (Open stream : open) {
            if (stream.definition.accessPolicy().isPresent() && stream.principal != null
                    && stream.subscription.isOpen() && which.test(stream)) {
                groups.computeIfAbsent(new Group(stream.definition, stream.principal.getName()),
                        group -> new ArrayList<>()).add(stream);
            }
        }
        groups.forEach((group, streams) -> recheck(group, streams, onlyKeys));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void recheck(Group group, List<Open> streams, Set<Object> onlyKeys) {
        Set<Object> keys = new LinkedHashSet<>();
        for (Open stream : streams) {
            keys.addAll(stream.subscription.keys());
        }
        if (onlyKeys != null) {
            keys.retainAll(onlyKeys);
        }
        if (keys.isEmpty()) {
            return;
        }
        StreamAccessPolicy policy = group.definition.accessPolicy().get();
        Principal principal = streams.get(streams.size() - 1).principal;
        Map<Object, AccessDecision> decisions;
        try {
            decisions = policy.decideEach(principal, Collections.unmodifiableSet(keys));
        } catch (RuntimeException failure) {
            if (failingPolicies.add(group.definition.name())) {
                LOG.warn("Status stream '" + group.definition.name() + "': the access policy failed to re-check the"
                        + " open streams; nothing is revoked until it answers", failure);
            }
            return;
        }
        if (failingPolicies.remove(group.definition.name())) {
            LOG.info("Status stream '" + group.definition.name() + "': the access policy answers again");
        }
        Set<Object> denied = new LinkedHashSet<>();
        for (Object key : keys) {
            if (decisions == null || decisions.get(key) != AccessDecision.ALLOW) {
                denied.add(key);
            }
        }
        if (!denied.isEmpty()) {
            for (Open stream : streams) {
                ((Subscription) stream.subscription).revoke(denied);
            }
        }
    }

    /** The streams one policy call answers for. */
    private record Group(StreamDefinition<?, ?> definition, String principalName) {
    }

    /** One open stream, until {@link #closed()}. */
    final class Open {

        private final StreamDefinition<?, ?> definition;
        private final Principal principal;
        private final String sessionId;
        private final Subscription<?> subscription;
        private volatile ScheduledFuture<?> expiry;

        private Open(StreamDefinition<?, ?> definition, Principal principal, String sessionId,
                     Subscription<?> subscription) {
            this.definition = definition;
            this.principal = principal;
            this.sessionId = sessionId;
            this.subscription = subscription;
        }

        /** The stream ended: forgotten, its expiry cancelled. Idempotent. */
        void closed() {
            open.remove(this);
            ScheduledFuture<?> scheduled = expiry;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
