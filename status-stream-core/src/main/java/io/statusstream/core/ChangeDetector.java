package io.statusstream.core;

import java.util.Objects;
import java.util.function.Function;

/**
 * Decides whether a freshly fetched state is a change worth an event.
 *
 * <p>Only called with two non-null states: appearance and disappearance of a key are decided by the engine. It
 * is called on the poller thread only, once per watched key per poll, so it should be cheap and must not block.
 * Implementations must be stateless or thread-safe, because one detector may serve several engines.
 *
 * @param <S> state type
 */
@FunctionalInterface
public interface ChangeDetector<S> {

    /**
     * @param previous the state subscribers were last sent, never {@code null}
     * @param current  the state just fetched, never {@code null}
     * @return {@code true} if subscribers must be told about {@code current}
     */
    boolean hasChanged(S previous, S current);

    /**
     * The default: a change is any state not {@link Object#equals equal} to the previous one. Right for records and
     * other value types whose {@code equals} covers every field that is sent.
     *
     * @param <S> state type
     * @return a stateless detector
     */
    static <S> ChangeDetector<S> equality() {
        return (previous, current) -> !previous.equals(current);
    }

    /**
     * A change is a different value of a projection of the state: a subset of its fields (project to a record or
     * a {@code List}), or a field that changes whenever anything else does.
     *
     * <p>Fields outside the projection may differ without an event; the next event still carries them, since every
     * event carries the whole state.
     *
     * @param projection a pure function of the state, never {@code null}; its results are compared with
     *                   {@link Objects#equals}
     * @param <S>        state type
     * @return a detector as thread-safe as {@code projection}
     */
    static <S> ChangeDetector<S> comparing(Function<? super S, ?> projection) {
        Objects.requireNonNull(projection, "projection");
        return (previous, current) -> !Objects.equals(projection.apply(previous), projection.apply(current));
    }

    /**
     * A change is a different version: an {@code updated_at} timestamp or a {@code version} column that the writer
     * bumps on every update. Cheaper than comparing every field, and immune to fields whose {@code equals} is not
     * meaningful (arrays, floating point noise). Any different version counts, lower included, so a restored backup
     * is still sent.
     *
     * @param version extracts the version, never {@code null}; may return {@code null}, which equals only
     *                {@code null}
     * @param <S>     state type
     * @return a detector as thread-safe as {@code version}
     */
    static <S> ChangeDetector<S> byVersion(Function<? super S, ?> version) {
        return comparing(version);
    }
}
