package io.statusstream.spring;

import io.statusstream.core.StatusStream;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The running {@link StatusStream} of every {@link StreamDefinition} bean: inject it to {@link StatusStream#touch
 * touch} keys after the application's own writes, so subscribers see the change without waiting for the next poll.
 *
 * <pre>{@code
 * botRepository.save(bot);
 * statusStreams.get(botStream).touch(bot.id());
 * }</pre>
 *
 * <p>Thread-safe. The streams start when the application context starts and are closed when it closes.
 */
public interface StatusStreams {

    /**
     * The stream of a definition, typed as the definition.
     *
     * @param definition a {@link StreamDefinition} bean of this context
     * @param <K>        key type
     * @param <S>        state type
     * @return the running stream, never {@code null}
     * @throws IllegalArgumentException if the definition is not one of this context's beans
     */
    <K, S> StatusStream<K, S> get(StreamDefinition<K, S> definition);

    /**
     * The stream of the given name. The type arguments are the caller's claim, unchecked: prefer
     * {@link #get(StreamDefinition)} where the definition bean is at hand.
     *
     * @param name the stream's {@link StreamDefinition#name() name}
     * @param <K>  key type, as the caller claims it
     * @param <S>  state type, as the caller claims it
     * @return the running stream, never {@code null}
     * @throws IllegalArgumentException if no stream has that name
     */
    <K, S> StatusStream<K, S> get(String name);

    /**
     * The names of all streams, in declaration order.
     *
     * @return an unmodifiable set, never {@code null}
     */
    Set<String> names();

    /**
     * Checks the open streams of a principal against their access policies now, as the periodic re-check does (see
     * {@link StreamAccessPolicy#decideEach}): after the principal lost a role, or some keys. Keys no longer allowed are
     * revoked, and a stream left without keys ends. Runs on the starter's re-check thread, not the caller's.
     *
     * @param principalName the {@link java.security.Principal#getName() name} of the principal
     * @return completes once the policies have answered and the revocations are queued for writing (they are
     *         written by the next writer round); exceptionally if the application is shutting down
     */
    CompletionStage<Void> recheckAccess(String principalName);

    /**
     * Checks some keys of a stream against its access policy now, in every open stream that watches any of them: after
     * the keys changed owner. Otherwise as {@link #recheckAccess(String)}.
     *
     * @param streamName the stream's {@link StreamDefinition#name() name}
     * @param keys       the keys to check, of the stream's key type
     * @return completes once the policies have answered and the revocations are queued for writing
     */
    CompletionStage<Void> recheckAccess(String streamName, Collection<?> keys);
}
