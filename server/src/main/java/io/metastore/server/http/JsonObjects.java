package io.metastore.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a byte stream of concatenated JSON objects ({@code {...} {...}}, any whitespace
 * between) into the objects, as they complete: a streamed gateway request body is read this
 * way, one message per object, as Go's {@code json.Decoder} reads it. Only the structure is
 * tracked (depth, strings, escapes); each object is parsed later. Not thread-safe.
 *
 * <p>Example: the chunks {@code {"a":"}"}{"b"} and {@code :1}} give {@code {"a":"}"}} after
 * the first chunk and {@code {"b":1}} after the second.
 *
 * <p>An object is held only up to {@code limit} bytes: a longer one is {@link #tooLarge()}, and
 * nothing more is read, so a stream cannot make the server buffer more than one request's worth.
 */
final class JsonObjects {
    private final int limit;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private boolean tooLarge;
    private int depth;
    private boolean inString;
    private boolean escaped;
    private String error;

    JsonObjects(int limit) {
        this.limit = limit;
    }

    /** The objects completed by {@code chunk}; after malformed input, {@link #error()} says why and nothing more is returned. */
    List<String> feed(byte[] chunk) {
        List<String> out = new ArrayList<>();
        for (byte b : chunk) {
            if (error != null || tooLarge) {
                break;
            }
            if (depth == 0) {
                if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                    continue;
                }
                if (b != '{') {
                    error = "invalid character '" + (char) (b & 0xff) + "' looking for beginning of value";
                    break;
                }
            }
            if (current.size() == limit) {
                tooLarge = true;
                current.reset();
                break;
            }
            current.write(b);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
                if (depth == 0) {
                    out.add(current.toString(StandardCharsets.UTF_8));
                    current.reset();
                }
            }
        }
        return out;
    }

    /** Whether a started object is still incomplete. */
    boolean pending() {
        return current.size() > 0;
    }

    /** Whether an object grew past the limit; nothing more is returned after it. */
    boolean tooLarge() {
        return tooLarge;
    }

    /** Why the input is not a sequence of objects, or {@code null}. */
    String error() {
        return error;
    }
}
