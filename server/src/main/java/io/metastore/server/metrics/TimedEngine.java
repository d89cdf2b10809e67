package io.metastore.server.metrics;

import io.metastore.engine.Bucket;
import io.metastore.engine.EngineSnapshot;
import io.metastore.engine.EntryVisitor;
import io.metastore.engine.StorageEngine;
import io.metastore.engine.WriteBatch;

import java.util.Set;

/**
 * A storage engine that times every batch {@link #write} into
 * {@code etcd_disk_backend_commit_duration_seconds} (etcd times its backend's commit the same
 * way) and otherwise delegates. A decorator in the server, so the engines module never sees
 * the metrics library.
 */
public final class TimedEngine implements StorageEngine {
    private final StorageEngine engine;
    private final Metrics metrics;

    public TimedEngine(StorageEngine engine, Metrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    @Override
    public void write(WriteBatch batch) {
        long start = System.nanoTime();
        engine.write(batch);
        metrics.backendCommitted(System.nanoTime() - start);
    }

    @Override
    public String name() {
        return engine.name();
    }

    @Override
    public WriteBatch newBatch() {
        return engine.newBatch();
    }

    @Override
    public EngineSnapshot snapshot() {
        return engine.snapshot();
    }

    @Override
    public Set<Bucket> buckets() {
        return engine.buckets();
    }

    @Override
    public long approximateSizeBytes() {
        return engine.approximateSizeBytes();
    }

    @Override
    public void defragment() {
        engine.defragment();
    }

    @Override
    public byte[] get(Bucket bucket, byte[] key) {
        return engine.get(bucket, key);
    }

    @Override
    public void scan(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
        engine.scan(bucket, from, to, visitor);
    }

    @Override
    public void scanDescending(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
        engine.scanDescending(bucket, from, to, visitor);
    }

    @Override
    public void close() {
        engine.close();
    }
}
