package io.metastore.mvcc;

import io.metastore.engine.Bucket;
import io.metastore.engine.EngineSnapshot;
import io.metastore.engine.EntryVisitor;
import io.metastore.engine.StorageEngine;
import io.metastore.engine.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage engine that passes everything to another one and records what the store asks of it:
 * each {@link #write} as the list of its operations, and how many point reads hit the meta
 * bucket. Lets tests see how the store reaches its engine.
 */
final class RecordingEngine implements StorageEngine {

    /** One operation of a written batch: {@code put meta/appliedIndex}, {@code deleteRange key}... */
    record Op(String kind, Bucket bucket, byte[] key) {
        boolean is(String k, Bucket b) {
            return kind.equals(k) && bucket.equals(b);
        }

        @Override
        public String toString() {
            return kind + " " + bucket + "/" + new String(key, StandardCharsets.ISO_8859_1);
        }
    }

    private final StorageEngine delegate;
    final List<List<Op>> writes = new CopyOnWriteArrayList<>();
    final AtomicInteger metaGets = new AtomicInteger();

    RecordingEngine(StorageEngine delegate) {
        this.delegate = delegate;
    }

    /** The batches written since the last call, forgetting them. */
    List<List<Op>> takeWrites() {
        List<List<Op>> taken = new ArrayList<>(writes);
        writes.clear();
        return taken;
    }

    @Override
    public String name() {
        return "recording-" + delegate.name();
    }

    @Override
    public WriteBatch newBatch() {
        return new Recorded(delegate.newBatch());
    }

    @Override
    public void write(WriteBatch batch) {
        Recorded r = (Recorded) batch;
        delegate.write(r.inner);
        writes.add(List.copyOf(r.ops));
    }

    @Override
    public EngineSnapshot snapshot() {
        return delegate.snapshot();
    }

    @Override
    public Set<Bucket> buckets() {
        return delegate.buckets();
    }

    @Override
    public long approximateSizeBytes() {
        return delegate.approximateSizeBytes();
    }

    @Override
    public void defragment() {
        delegate.defragment();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public byte[] get(Bucket bucket, byte[] key) {
        if (bucket.equals(MvccStore.META_BUCKET)) {
            metaGets.incrementAndGet();
        }
        return delegate.get(bucket, key);
    }

    @Override
    public void scan(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
        delegate.scan(bucket, from, to, visitor);
    }

    @Override
    public void scanDescending(Bucket bucket, byte[] from, byte[] to, EntryVisitor visitor) {
        delegate.scanDescending(bucket, from, to, visitor);
    }

    private static final class Recorded implements WriteBatch {
        final WriteBatch inner;
        final List<Op> ops = new ArrayList<>();

        Recorded(WriteBatch inner) {
            this.inner = inner;
        }

        @Override
        public WriteBatch put(Bucket bucket, byte[] key, byte[] value) {
            ops.add(new Op("put", bucket, key));
            inner.put(bucket, key, value);
            return this;
        }

        @Override
        public WriteBatch delete(Bucket bucket, byte[] key) {
            ops.add(new Op("delete", bucket, key));
            inner.delete(bucket, key);
            return this;
        }

        @Override
        public WriteBatch deleteRange(Bucket bucket, byte[] from, byte[] to) {
            ops.add(new Op("deleteRange", bucket, from));
            inner.deleteRange(bucket, from, to);
            return this;
        }

        @Override
        public int count() {
            return inner.count();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
