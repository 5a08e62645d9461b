package io.statusstream.spring;

import java.security.Principal;
import java.util.Set;

/**
 * Decides whether an authenticated principal may watch keys of a stream, before the stream starts.
 *
 * <p>Called on the request thread, once per stream request, with every key of the request: decide for all of them
 * at once (one query, not one per key). A request without a principal (no {@code request.getUserPrincipal()}) is
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
}
