package io.metastore.engine;

/**
 * A point-in-time, read-only view of every bucket of an engine: writes that commit after the
 * snapshot was taken are not visible through it. Close it to release what it pins.
 */
public interface EngineSnapshot extends ReadView, AutoCloseable {
    @Override
    void close();
}
