package io.statusstream.spring;

import io.statusstream.core.StatusStream;

import java.util.Set;

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
}
