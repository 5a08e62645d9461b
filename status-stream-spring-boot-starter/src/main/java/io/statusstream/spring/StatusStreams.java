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
     * @throws IllegalArgumentException if the definition is not one of this context's beans
     */
    <K, S> StatusStream<K, S> get(StreamDefinition<K, S> definition);

    /**
     * The stream of the given name. The type arguments are the caller's claim, unchecked: prefer
     * {@link #get(StreamDefinition)} where the definition bean is at hand.
     *
     * @throws IllegalArgumentException if no stream has that name
     */
    <K, S> StatusStream<K, S> get(String name);

    /** The names of all streams, in declaration order. */
    Set<String> names();
}
