package io.statusstream.spring;

import io.statusstream.core.EventSerializer;
import io.statusstream.core.StateEvent;
import tools.jackson.databind.json.JsonMapper;

import java.util.Locale;
import java.util.function.Function;

/**
 * The wire format of the starter's events, with Jackson 3:
 * {@code {"key":"<key as text>","kind":"snapshot|change|removed","state":<state as JSON, or null>}}.
 *
 * <p>The envelope is written by hand, so the application's naming strategy or mix-ins cannot rename its fields; the
 * state is written by the application's {@link JsonMapper}, so they do apply to it. Thread-safe, as
 * {@link JsonMapper} is.
 */
final class JsonEnvelopeSerializer<K, S> implements EventSerializer<K, S> {

    private final JsonMapper mapper;
    private final Function<? super K, String> keyFormatter;

    JsonEnvelopeSerializer(JsonMapper mapper, Function<? super K, String> keyFormatter) {
        this.mapper = mapper;
        this.keyFormatter = keyFormatter;
    }

    @Override
    public String serialize(StateEvent<K, S> event) {
        String state = event.state() == null ? "null" : mapper.writeValueAsString(event.state());
        String key = mapper.writeValueAsString(keyFormatter.apply(event.key()));
        return "{\"key\":" + key + ",\"kind\":\"" + event.kind().name().toLowerCase(Locale.ROOT)
                + "\",\"state\":" + state + "}";
    }
}
