package io.metastore.codec;

import java.util.HexFormat;

/**
 * A log entry that cannot be decoded: unknown header, unsupported version, truncated or otherwise
 * malformed body. A corrupt entry is never skipped or read as an empty command; applying the log
 * must stop.
 */
public final class CorruptEntryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** How many leading bytes of a corrupt entry a message shows. */
    static final int SHOWN_BYTES = 16;

    public CorruptEntryException(String message) {
        super(message);
    }

    public CorruptEntryException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * An exception whose message is {@code reason} followed by the entry's length and its first
     * bytes (at most {@value #SHOWN_BYTES}) in hex.
     */
    static CorruptEntryException of(String reason, byte[] entry, Throwable cause) {
        String message = reason + " (" + describe(entry) + ")";
        if (cause != null && cause.getMessage() != null) {
            message += ": " + cause.getMessage();
        }
        return new CorruptEntryException(message, cause);
    }

    /** {@code length N, first bytes e7cd0101...}: the entry as shown in messages. */
    static String describe(byte[] entry) {
        int shown = Math.min(entry.length, SHOWN_BYTES);
        return "length " + entry.length + ", first bytes " + (shown == 0 ? "(none)"
                : HexFormat.of().formatHex(entry, 0, shown) + (entry.length > shown ? "..." : ""));
    }
}
