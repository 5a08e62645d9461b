package io.statusstream.core;

/**
 * A key's state as a poller or a shared log knows it: whether the key exists, and the state object when it is at
 * hand ({@code stateKnown}); a shared log carries encoded states only. Immutable.
 */
record Observed<S>(boolean present, S state, boolean stateKnown) {

    static <S> Observed<S> fetched(S state) {
        return new Observed<>(state != null, state, true);
    }

    static <S> Observed<S> shared(boolean present) {
        return new Observed<>(present, null, false);
    }
}
