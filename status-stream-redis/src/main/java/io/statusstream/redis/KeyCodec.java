package io.statusstream.redis;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Keys as text in Redis and back, through the stream's formatter and parser. A text the parser refuses with a
 * {@link RuntimeException} (another instance's key type, a hand-written key) is skipped and logged at debug; an
 * {@link Error} from the parser propagates. Thread-safe if the functions are.
 *
 * @param <K> key type
 */
final class KeyCodec<K> {

    private static final System.Logger LOG = System.getLogger(RedisStreamCluster.class.getName());

    private final Function<? super K, String> formatter;
    private final Function<String, ? extends K> parser;

    KeyCodec(Function<? super K, String> formatter, Function<String, ? extends K> parser) {
        this.formatter = Objects.requireNonNull(formatter, "keyFormatter");
        this.parser = Objects.requireNonNull(parser, "keyParser");
    }

    String format(K key) {
        return formatter.apply(key);
    }

    /** The keys as text, in their order, without duplicates. */
    Set<String> formatAll(Collection<? extends K> keys) {
        Set<String> texts = new LinkedHashSet<>(keys.size() * 2);
        for (K key : keys) {
            texts.add(formatter.apply(key));
        }
        return texts;
    }

    /** The key, or {@code null} if the text is {@code null} or not a key of this stream. */
    K parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text);
        } catch (RuntimeException malformed) {
            LOG.log(Level.DEBUG, () -> "ignoring key '" + text + "' from Redis: " + malformed);
            return null;
        }
    }

    /** The texts that are keys of this stream, parsed, in order. */
    List<K> parseAll(Collection<String> texts) {
        List<K> keys = new ArrayList<>(texts.size());
        for (String text : texts) {
            K key = parse(text);
            if (key != null) {
                keys.add(key);
            }
        }
        return keys;
    }
}
