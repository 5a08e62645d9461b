package io.statusstream.spring;

import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether an authenticated principal may watch keys of a stream: before the stream starts, and again while
 * it is open (every {@code status-stream.access-recheck-interval}, and when the application asks with
 * {@link StatusStreams#recheckAccess}).
 *
 * <p>{@link #decide} is called on the request thread, once per stream request, with every key of the request: decide
 * for all of them at once (one query, not one per key). {@link #decideEach} is called for the re-checks of open
 * streams, on the starter's re-check thread, once per principal and stream per round, with every key that principal
 * watches there; a key that is no longer {@code ALLOW}ed is revoked from the streams watching it. A request without a principal (no {@code request.getUserPrincipal()}) is
 * answered with 401 without calling the policy; with Spring Security the principal is the {@code Authentication}.
 * Implementations must be thread-safe. An exception thrown here fails the request like any handler exception.
 *
 * @param <K> key type of the stream
 */
@FunctionalInterface
public interface StreamAccessPolicy<K> {

    /**
     * @param principal the authenticated principal, never {@code null}
     * @param keys      the requested keys, never empty, unmodifiable
     * @return the decision, never {@code null}
     */
    AccessDecision decide(Principal principal, Set<K> keys);

    /**
     * Decides for each key on its own: the re-check of the streams a principal has open. The default calls
     * {@link #decide} once per key; override it to answer in one query. An exception thrown here revokes nothing (the
     * open streams stay as they are until a later round decides) and is logged.
     *
     * @param principal the principal as it was when the streams opened, never {@code null}
     * @param keys      the keys it watches, never empty, unmodifiable
     * @return a decision per key; a key missing from the map, or mapped to {@code null}, counts as {@code DENY}
     */
    default Map<K, AccessDecision> decideEach(Principal principal, Set<K> keys) {
        Map<K, AccessDecision> decisions = new HashMap<>();
        for (K key : keys) {
            decisions.put(key, decide(principal, Set.of(key)));
        }
        return decisions;
    }
}
