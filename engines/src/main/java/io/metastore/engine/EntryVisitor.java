package io.metastore.engine;

/** Receives the entries of a scan in key order; returning {@code false} stops the scan. */
@FunctionalInterface
public interface EntryVisitor {
    /**
     * @param key the entry's key; owned by the engine, never to be modified
     * @param value the entry's value; owned by the engine, never to be modified
     * @return {@code true} to continue with the next entry, {@code false} to stop
     */
    boolean visit(byte[] key, byte[] value);
}
