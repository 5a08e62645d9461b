package io.statusstream.spring;

/** The answer of a {@link StreamAccessPolicy}. */
public enum AccessDecision {
    /** The principal may watch every requested key. */
    ALLOW,
    /** The principal may not watch some requested key: answered with 403. */
    DENY,
    /**
     * Some requested key does not exist, or the principal must not learn that it does: answered with 404, exactly as
     * for a key the source does not have.
     */
    NOT_FOUND
}
