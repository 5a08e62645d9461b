package io.statusstream.core;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A live view of the state of keys from one {@link StateSource}, pushed to subscribers as Server-Sent Events.
 *
 * <p>The engine reference-counts watched keys. Every poll interval it fetches <em>all</em> of them in chunks of the
 * batch size, so the source's load is {@code ceil(keys / batchSize)} calls per interval whatever the number of
 * subscribers. A newly watched key is fetched at once; keys arriving together share one fetch. Each change gets an
 * id {@code <epoch>-<seq>} and is fanned out to the key's subscribers, whose bounded queues are drained on writer
 * threads, never on the poller. A key whose last subscriber left stays watched for the key retention period, so a
 * client that reconnects quickly gets a replay instead of a snapshot.
 *
 * <p><b>Thread-safety:</b> every method is thread-safe and non-blocking; source calls and writes never happen on the
 * caller's thread.
 *
 * <p><b>Lifecycle:</b> built started by {@link StatusStreamBuilder#build()}; {@link #close()} ends every subscription
 * at once (their sinks are closed with {@link CloseReason#SHUTDOWN} so clients reconnect elsewhere) and stops
 * polling; {@link #drain(Duration)} ends them in waves over a period first, so that they do not all reconnect at once.
 *
 * @param <K> key type
 * @param <S> state type
 */
public interface StatusStream<K, S> extends AutoCloseable {

    /**
     * Starts building a stream over the given source.
     *
     * @param source the source of state, never {@code null}
     * @param <K>    key type
     * @param <S>    state type
     * @return a new builder, every setting at its default
     */
    static <K, S> StatusStreamBuilder<K, S> builder(StateSource<K, S> source) {
        return new StatusStreamBuilder<>(source);
    }

    /**
     * The name given to the builder, used in logs, metrics and thread names.
     *
     * @return the name, never {@code null} or blank
     */
    String name();

    /**
     * Subscribes a client to one or more keys.
     *
     * <p>The client first receives, for each key, either the changes it missed since {@code lastEventId} (when that
     * id is of this engine's epoch and the key's replay ring still reaches back to it) or the key's current state as
     * a {@link StateEvent.Kind#SNAPSHOT}; then every change, in id order across all its keys. A {@code null},
     * malformed, foreign or future {@code lastEventId} means "send snapshots": never an error. Keys not yet watched
     * are fetched at once; their snapshot follows when the fetch answers.
     *
     * <p>The caller must eventually {@link Subscription#close() close} the subscription when the client goes away
     * (unless the engine closed it first through {@link EventSink#close}); an unclosed subscription keeps its keys
     * watched.
     *
     * @param keys        one or more keys, never {@code null}, no {@code null} element; duplicates are ignored
     * @param lastEventId the client's {@code Last-Event-ID}, or {@code null}
     * @param sink        where this subscriber's frames are written, never {@code null}
     * @return the subscription, open
     * @throws IllegalArgumentException if {@code keys} is empty
     * @throws StreamClosedException    if the stream is closed
     */
    Subscription<K> subscribe(Collection<? extends K> keys, String lastEventId, EventSink sink);

    /**
     * Hints that these keys may have changed: they are fetched now instead of at the next interval. Use it after
     * the application's own write. Hints arriving close together coalesce into one fetch; keys nobody watches are
     * ignored.
     *
     * @param keys keys that may have changed, never {@code null}; {@code null} elements are ignored
     */
    void touch(Collection<? extends K> keys);

    /**
     * {@link #touch(Collection)} for one key.
     *
     * @param key a key that may have changed, never {@code null}
     */
    default void touch(K key) {
        touch(List.of(key));
    }

    /** Polls every watched key now, as a notifier's resync does. */
    void pollNow();

    /**
     * A consistent snapshot of gauges and health, for metrics and health checks.
     *
     * @return a new snapshot, never {@code null}; it does not follow later changes
     */
    StreamStats stats();

    /**
     * Ends every subscription in waves spread evenly over {@code period}, then {@linkplain #close() closes} the
     * stream: the clients of an instance going down come back spread out over the period (to another instance, or to
     * this one once it is back) instead of all at once.
     *
     * <p>From this call on, {@link #subscribe} throws {@link StreamClosedException}; polling and fan-out go on for
     * the subscriptions not ended yet. The subscriptions open now are put in random order and ended in waves, one
     * every {@code period / waves} (waves are about 100 ms apart, fewer if there are fewer subscriptions), the first
     * at once. Each is {@linkplain Subscription#end ended} with {@link EndReason#SHUTDOWN}: what is queued is
     * written, then a {@code retry:} hint of the reconnect delay plus a random part of up to one wave's width, then
     * the {@code end} event, then its sink is closed with {@link CloseReason#ENDED}. A client that waits the hint
     * after the end comes back at a time spread uniformly over the period (shifted by the reconnect delay), and has
     * missed at most the reconnect delay plus one wave's width. A subscription not {@linkplain Subscription#ready()
     * ready} yet (its transport has not answered) is closed at once with {@link CloseReason#SHUTDOWN}, without the
     * event. The stream closes once the last subscription is released after the last wave, and at the latest one
     * period after this call: a subscription whose end is not written by then is closed as by {@link #close()}.
     *
     * <p>The waves and the close run on the stream's {@link StreamScheduler} (a test advances a manual scheduler to
     * drive them). {@link #close()} during a drain closes at once and completes the drain. Idempotent: a second
     * call returns a stage completing with the first drain, whatever its period; a call after {@link #close()} a
     * completed stage.
     *
     * @param period how long the drain takes, zero or positive; zero closes at once, as {@link #close()}
     * @return a stage that completes once the stream is closed, never exceptionally
     * @throws IllegalArgumentException if {@code period} is negative
     */
    CompletionStage<Void> drain(Duration period);

    /** Ends all subscriptions, stops polling and releases threads this stream created. Idempotent. */
    @Override
    void close();
}
