package io.statusstream.spring;

import io.statusstream.core.EventSerializer;
import tools.jackson.databind.json.JsonMapper;

/** Makes {@link JsonEnvelopeSerializer}s on one {@link JsonMapper}. Thread-safe. */
final class JacksonEventSerializerFactory implements EventSerializerFactory {

    private final JsonMapper mapper;

    JacksonEventSerializerFactory(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public <K, S> EventSerializer<K, S> create(StreamDefinition<K, S> definition) {
        return new JsonEnvelopeSerializer<>(mapper, definition.keyFormatter());
    }
}
