package io.metastore.command;

import java.util.HexFormat;

/** Helpers the records use for content equality and readable rendering of raw bytes. */
final class ByteArrays {
    static final byte[] EMPTY = new byte[0];

    private ByteArrays() {
    }

    static byte[] orEmpty(byte[] bytes) {
        return bytes == null ? EMPTY : bytes;
    }

    /** Printable ASCII as text, anything else as hex, long arrays cut: for toString only. */
    static String describe(byte[] bytes) {
        boolean printable = true;
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                printable = false;
                break;
            }
        }
        String shown;
        int limit = Math.min(bytes.length, 64);
        if (printable) {
            shown = '"' + new String(bytes, 0, limit, java.nio.charset.StandardCharsets.US_ASCII) + '"';
        } else {
            shown = "0x" + HexFormat.of().formatHex(bytes, 0, limit);
        }
        return bytes.length > limit ? shown + "...(" + bytes.length + " bytes)" : shown;
    }
}
