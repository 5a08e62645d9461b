package io.statusstream.spring;

import io.statusstream.core.EventSerializer;

/**
 * Makes the {@link EventSerializer} of each stream whose definition sets none. The starter provides one with
 * Jackson 3 when it is on the class path; declare a bean of this type to replace it for every stream, or set
 * {@link StreamDefinition.Builder#serializer} for one.
 *
 * <p>Called once per stream at startup. Implementations must be thread-safe, as must the serializers they make.
 */
public interface EventSerializerFactory {

    /**
     * @param definition the stream's definition; its {@link StreamDefinition#keyFormatter()} formats keys
     * @param <K>        key type
     * @param <S>        state type
     * @return the stream's serializer, never {@code null}
     */
    <K, S> EventSerializer<K, S> create(StreamDefinition<K, S> definition);
}
