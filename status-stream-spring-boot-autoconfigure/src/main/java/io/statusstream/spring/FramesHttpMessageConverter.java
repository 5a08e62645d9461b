package io.statusstream.spring;

import io.statusstream.core.Frames;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;

import java.io.IOException;
import java.util.List;

/**
 * Writes the engine's {@link Frames} as they are, byte for byte, to the response of a stream: the write path of
 * {@link EmitterEventSink}. The bytes of an event are the ones the engine encoded once for all its subscribers; nothing
 * is copied, decoded or re-encoded per subscriber, and the frames of one write go out before the one flush that
 * Spring MVC's emitter support makes per send.
 *
 * <p>Registered with Spring MVC's converters ({@link StatusStreamWebMvcAutoConfiguration}); it writes
 * {@code Frames} only, so it never takes part in the application's own responses. Never reads. Stateless;
 * thread-safe.
 */
final class FramesHttpMessageConverter implements HttpMessageConverter<Frames> {

    @Override
    public boolean canRead(Class<?> clazz, MediaType mediaType) {
        return false;
    }

    @Override
    public boolean canWrite(Class<?> clazz, MediaType mediaType) {
        return clazz == Frames.class;
    }

    @Override
    public List<MediaType> getSupportedMediaTypes() {
        return List.of(MediaType.TEXT_EVENT_STREAM);
    }

    @Override
    public Frames read(Class<? extends Frames> clazz, HttpInputMessage inputMessage)
            throws HttpMessageNotReadableException {
        throw new HttpMessageNotReadableException("Frames are written to streams, never read", inputMessage);
    }

    @Override
    public void write(Frames frames, MediaType contentType, HttpOutputMessage outputMessage) throws IOException {
        frames.writeTo(outputMessage.getBody());
    }
}
