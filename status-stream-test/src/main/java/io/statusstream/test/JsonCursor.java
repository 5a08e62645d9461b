package io.statusstream.test;

/**
 * Just enough JSON for the envelope: strings (with escapes) and skipping any value whole. Throws
 * {@link IllegalArgumentException} on anything else. Not thread-safe; one per parse.
 */
final class JsonCursor {

    private final String text;
    private int at;

    JsonCursor(String text) {
        this.text = text;
    }

    int position() {
        return at;
    }

    void expect(char c) {
        if (!consume(c)) {
            throw new IllegalArgumentException("expected '" + c + "' at " + at);
        }
    }

    boolean consume(char c) {
        whitespace();
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                break;
            }
            char escaped = text.charAt(at++);
            switch (escaped) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw new IllegalArgumentException("short \\u escape");
                    }
                    out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> out.append(escaped);
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }

    void skipValue() {
        whitespace();
        if (at >= text.length()) {
            throw new IllegalArgumentException("no value at " + at);
        }
        char c = text.charAt(at);
        if (c == '"') {
            string();
        } else if (c == '{' || c == '[') {
            char close = c == '{' ? '}' : ']';
            at++;
            if (consume(close)) {
                return;
            }
            do {
                if (close == '}') {
                    string();
                    expect(':');
                }
                skipValue();
            } while (consume(','));
            expect(close);
        } else {
            int start = at;
            while (at < text.length() && ",}] \t\r\n".indexOf(text.charAt(at)) < 0) {
                at++;
            }
            if (at == start) {
                throw new IllegalArgumentException("no value at " + at);
            }
        }
    }

    private void whitespace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }
}
