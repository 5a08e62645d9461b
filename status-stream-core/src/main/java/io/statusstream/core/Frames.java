package io.statusstream.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one write sends to one subscriber: complete {@code text/event-stream} frames, UTF-8 encoded, as a sequence
 * of chunks. An event is encoded to bytes once, on the poller, and the same chunk goes to every subscriber it is
 * written to: a fan-out to ten thousand streams copies no bytes and makes no {@code String}.
 *
 * <p>Immutable and thread-safe. The chunks are shared between subscribers, which is why they are only handed out as
 * {@linkplain #byteBuffers() read-only buffers} or {@linkplain #writeTo(OutputStream) written} to a stream.
 */
public final class Frames {

    private final byte[][] chunks;
    private final int length;

    private Frames(byte[][] chunks) {
        this.chunks = chunks;
        int total = 0;
        for (byte[] chunk : chunks) {
            total += chunk.length;
        }
        this.length = total;
    }

    /** Frames made of chunks the engine owns and never changes; the list is copied, the arrays are not. */
    static Frames ofChunks(List<byte[]> chunks) {
        return new Frames(chunks.toArray(new byte[0][]));
    }

    /**
     * Frames from text, encoded here: for sinks and tests outside the engine.
     *
     * @param text complete {@code text/event-stream} frames, never {@code null}
     * @return the frames, one chunk
     */
    public static Frames of(String text) {
        return new Frames(new byte[][] {Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8)});
    }

    /**
     * How many bytes the frames are.
     *
     * @return the sum of the chunks' lengths, {@code > 0} for every write of the engine
     */
    public int length() {
        return length;
    }

    /**
     * Writes every chunk, in order, to {@code out}; does not flush.
     *
     * @param out where to, never {@code null}
     * @throws IOException as {@code out} throws it
     */
    public void writeTo(OutputStream out) throws IOException {
        for (byte[] chunk : chunks) {
            out.write(chunk);
        }
    }

    /**
     * The chunks as read-only buffers over the shared bytes (nothing is copied), positioned at their start, in order.
     * Each call returns new buffers, so their positions are the caller's own.
     *
     * @return one buffer per chunk, never empty for a write of the engine
     */
    public List<ByteBuffer> byteBuffers() {
        List<ByteBuffer> buffers = new ArrayList<>(chunks.length);
        for (byte[] chunk : chunks) {
            buffers.add(ByteBuffer.wrap(chunk).asReadOnlyBuffer());
        }
        return buffers;
    }

    /**
     * The frames as text, decoded from the bytes: for tests and logs, not for the write path.
     *
     * @return the frames' text
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(length);
        for (byte[] chunk : chunks) {
            text.append(new String(chunk, StandardCharsets.UTF_8));
        }
        return text.toString();
    }
}
