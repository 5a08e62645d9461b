package io.statusstream.jdbc;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A query with one {@code IN (:keys)} placeholder, rendered per dialect and number of keys. Immutable apart from a
 * cache of rendered texts, which is safe to share: a race only renders the same string twice.
 *
 * <p>{@code IN} lists are padded to the next power of two (by repeating the last key), so a database sees at most
 * a dozen distinct statement texts instead of one per batch size; PostgreSQL gets {@code = ANY(?)} and one text.
 */
final class KeyQuery {

    /** Most keys bound in one {@code IN} list; a larger batch takes several statements. */
    static final int MAX_IN_LIST = 1024;

    private static final Pattern PLACEHOLDER = Pattern.compile("(?i)\\bIN\\s*\\(\\s*:keys\\s*\\)");
    private static final Pattern ANY_PLACEHOLDER = Pattern.compile("(?i):keys\\b");
    private static final Pattern NOT_BEFORE = Pattern.compile("(?i)\\bNOT\\s*$");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private final String sql;
    private final String before;
    private final String after;
    private final String[] inLists = new String[Integer.numberOfTrailingZeros(MAX_IN_LIST) + 1];
    private final String any;

    private KeyQuery(String sql, String before, String after) {
        this.sql = sql;
        this.before = before;
        this.after = after;
        this.any = before + "= ANY(?)" + after;
    }

    /**
     * @throws IllegalArgumentException unless the SQL has exactly one {@code IN (:keys)} and no other {@code :keys}
     */
    static KeyQuery parse(String sql) {
        if (sql == null || sql.isBlank()) {
            throw new IllegalArgumentException("sql must not be blank");
        }
        Matcher matcher = PLACEHOLDER.matcher(sql);
        if (!matcher.find()) {
            throw new IllegalArgumentException("sql must contain the key set placeholder as 'IN (:keys)', "
                    + "e.g. SELECT * FROM orders WHERE id IN (:keys); was: " + sql);
        }
        String before = sql.substring(0, matcher.start());
        String after = sql.substring(matcher.end());
        if (ANY_PLACEHOLDER.matcher(before).find() || ANY_PLACEHOLDER.matcher(after).find()) {
            throw new IllegalArgumentException("sql must contain ':keys' exactly once, as 'IN (:keys)'; was: " + sql);
        }
        if (NOT_BEFORE.matcher(before).find()) {
            throw new IllegalArgumentException("sql must select the keys with 'IN (:keys)', not 'NOT IN'; was: "
                    + sql);
        }
        return new KeyQuery(sql, before, after);
    }

    /** {@code SELECT * FROM table WHERE keyColumn IN (:keys)}, after checking both names are plain identifiers. */
    static KeyQuery forTable(String table, String keyColumn) {
        return parse("SELECT * FROM " + requireIdentifier(table, "table") + " WHERE "
                + requireIdentifier(keyColumn, "keyColumn") + " IN (:keys)");
    }

    static String requireIdentifier(String name, String what) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be a plain SQL identifier (letters, digits, '_',"
                    + " optionally schema-qualified), was: " + name);
        }
        return name;
    }

    /** The text for {@code = ANY(?)} with one array parameter. */
    String anyArray() {
        return any;
    }

    /** How many parameters an {@code IN} list for this many keys binds: the next power of two. */
    static int paddedSize(int keys) {
        return keys <= 1 ? 1 : Integer.highestOneBit(keys - 1) << 1;
    }

    /** The text for an {@code IN} list of {@link #paddedSize(int)} parameters; at most {@link #MAX_IN_LIST}. */
    String inList(int keys) {
        int size = paddedSize(keys);
        int slot = Integer.numberOfTrailingZeros(size);
        String text = inLists[slot];
        if (text == null) {
            StringBuilder builder = new StringBuilder(before.length() + after.length() + 6 + size * 2);
            builder.append(before).append("IN (?");
            builder.append(",?".repeat(size - 1));
            builder.append(')').append(after);
            text = builder.toString();
            inLists[slot] = text;
        }
        return text;
    }

    @Override
    public String toString() {
        return sql;
    }
}
