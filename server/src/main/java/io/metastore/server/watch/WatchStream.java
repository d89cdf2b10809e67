package io.metastore.server.watch;

import io.etcd.jetcd.api.WatchResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.metastore.mvcc.Event;
import io.metastore.mvcc.KeyValue;
import io.metastore.mvcc.MvccException;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.RangeQuery;
import io.metastore.server.apply.KvApplier;
import io.metastore.server.kv.Headers;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Watch RPC: the watchers created on it and its bounded outgoing buffer.
 *
 * <p>Producers (the apply thread, the hub thread, the RPC's inbound thread) only ever append to
 * the buffer, without locks and without waiting. One drain task at a time, on the hub's sender
 * executor, turns buffered items into {@link WatchResponse}s (looking up {@code prev_kv} where a
 * history event lacks it) and writes them while the transport is ready; gRPC's on-ready callback
 * resumes it. So a client that stops reading fills only its own buffer, and then its watchers
 * fall out of the synced group instead of holding anyone up.
 *
 * <p>Event responses count against the capacity ({@link #tryReserve}). Answers to the client's
 * own requests (created, canceled, progress) are always accepted, but the stream reads the
 * client's next request only while fewer than {@link #CONTROL_BACKLOG} are unwritten.
 */
final class WatchStream {
    /** Unwritten answers (created, canceled, progress) after which the stream stops reading requests. */
    static final int CONTROL_BACKLOG = 64;

    /** An item waiting to be written, in the order it was appended. */
    private sealed interface Outgoing {
    }

    /**
     * Events for one watcher: one request's (live) or several whole requests' (catch-up), in
     * revision order; the header revision is fixed when appended.
     */
    private record Events(Watcher watcher, long headerRevision, List<Event> events) implements Outgoing {
    }

    /** A created, canceled or progress response; {@code reserved} when it holds an event slot. */
    private record Control(WatchResponse response, boolean reserved) implements Outgoing {
    }

    private final WatchHub hub;
    private final MvccStore store;
    private final Headers headers;
    private final ServerCallStreamObserver<WatchResponse> out;
    private final Executor sender;
    private final int capacity;
    private final int maxResponseBytes;
    private final Queue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger reserved = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Unwritten answers to the client's requests, and whether reading requests waits for them. */
    private final AtomicInteger controlBacklog = new AtomicInteger();
    private final AtomicBoolean inboundPaused = new AtomicBoolean();
    /** Set when a reservation failed; the next drain that frees half the buffer wakes the hub. */
    private final AtomicBoolean overflowed = new AtomicBoolean();
    final Map<Long, Watcher> watchers = new ConcurrentHashMap<>();
    /** Next watch id; ids start at 0 per stream, as etcd's do. Used on the inbound thread, under the hub lock. */
    private long nextId;
    private volatile boolean closed;
    private volatile StatusRuntimeException failure;

    WatchStream(WatchHub hub, MvccStore store, Headers headers, ServerCallStreamObserver<WatchResponse> out,
                Executor sender, int capacity, int maxResponseBytes) {
        this.hub = hub;
        this.store = store;
        this.headers = headers;
        this.out = out;
        this.sender = sender;
        this.capacity = capacity;
        this.maxResponseBytes = maxResponseBytes;
        out.setOnReadyHandler(this::scheduleDrain);
        out.disableAutoRequest();
        out.request(1);
    }

    /** The next free id: ids count up from 0 per stream, skipping ids the client chose, as etcd's do. */
    long allocateId() {
        while (watchers.containsKey(nextId)) {
            nextId++;
        }
        return nextId++;
    }

    Headers headers() {
        return headers;
    }

    boolean isClosed() {
        return closed;
    }

    /** Free event slots. */
    int room() {
        return capacity - reserved.get();
    }

    /** Takes {@code n} event slots if they are all free; never waits. */
    boolean tryReserve(int n) {
        for (;;) {
            int r = reserved.get();
            if (r + n > capacity) {
                overflowed.set(true);
                return false;
            }
            if (reserved.compareAndSet(r, r + n)) {
                return true;
            }
        }
    }

    /** Remembers that a producer found no room, so the drain that frees half the buffer wakes the hub. */
    void noteFull() {
        overflowed.set(true);
    }

    /** Appends events for {@code w} into a slot taken with {@link #tryReserve}. */
    void appendReserved(Watcher w, long headerRevision, List<Event> events) {
        queue.add(new Events(w, headerRevision, events));
        scheduleDrain();
    }

    void appendControl(WatchResponse response) {
        if (!closed) {
            controlBacklog.incrementAndGet();
            queue.add(new Control(response, false));
            scheduleDrain();
        }
    }

    /**
     * Asks gRPC for the client's next request once the answers to earlier ones are mostly
     * written. A client that sends creates, cancels or progress requests without reading the
     * answers is thereby held back by HTTP/2 flow control (as etcd's bounded control channel
     * holds back its reader) instead of growing this buffer. Called after each request.
     */
    void requestNextWhenAnswered() {
        if (controlBacklog.get() < CONTROL_BACKLOG) {
            out.request(1);
        } else {
            inboundPaused.set(true);
            if (controlBacklog.get() < CONTROL_BACKLOG && inboundPaused.compareAndSet(true, false)) {
                out.request(1); // the drain caught up in between
            }
        }
    }

    /** Appends a response that is worth sending only if there is room (progress notifications). */
    void appendIfRoom(WatchResponse response) {
        if (!closed && tryReserve(1)) {
            queue.add(new Control(response, true));
            scheduleDrain();
        }
    }

    /** Ends the RPC with {@code status} as soon as possible, dropping what was not written yet. */
    void fail(StatusRuntimeException status) {
        failure = status;
        queue.clear();
        if (!closed && draining.compareAndSet(false, true)) {
            try {
                sender.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining.set(false);
            }
        }
    }

    /** The RPC is over (client went away, or the hub closed): nothing more is written. */
    void markClosed() {
        closed = true;
        queue.clear();
    }

    private void scheduleDrain() {
        if (!closed && draining.compareAndSet(false, true)) {
            try {
                sender.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining.set(false); // the hub is closing; it ends this stream itself
            }
        }
    }

    private void drain() {
        try {
            for (;;) {
                if (failure != null && !closed) {
                    closed = true; // trailers are not flow-controlled: they go out even to a client that stopped reading
                    out.onError(failure);
                    return;
                }
                while (!closed && failure == null && out.isReady()) {
                    Outgoing o = queue.poll();
                    if (o == null) {
                        break;
                    }
                    write(o);
                }
                draining.set(false);
                boolean more = !closed && (failure != null || (!queue.isEmpty() && out.isReady()));
                if (!more || !draining.compareAndSet(false, true)) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            // The call was cancelled under us; the cancel handler removes the watchers.
            draining.set(false);
            markClosed();
            return;
        }
        if (room() * 2 >= capacity && overflowed.compareAndSet(true, false)) {
            hub.requestSync();
        }
    }

    private void write(Outgoing o) {
        if (o instanceof Events e) {
            reserved.decrementAndGet();
            WatchResponse r = eventsResponse(e);
            if (e.watcher().fragment) {
                Fragments.send(r, maxResponseBytes, out::onNext);
            } else {
                out.onNext(r);
            }
        } else if (o instanceof Control c) {
            if (c.reserved()) {
                reserved.decrementAndGet();
            }
            out.onNext(c.response());
            if (!c.reserved() && controlBacklog.decrementAndGet() < CONTROL_BACKLOG
                    && inboundPaused.compareAndSet(true, false)) {
                out.request(1);
            }
        }
    }

    private WatchResponse eventsResponse(Events e) {
        WatchResponse.Builder b = WatchResponse.newBuilder()
                .setHeader(headers.at(e.headerRevision()))
                .setWatchId(e.watcher().id);
        for (Event ev : e.events()) {
            io.etcd.jetcd.api.Event.Builder pe = io.etcd.jetcd.api.Event.newBuilder()
                    .setType(ev.type() == Event.Type.PUT ? io.etcd.jetcd.api.Event.EventType.PUT
                            : io.etcd.jetcd.api.Event.EventType.DELETE)
                    .setKv(KvApplier.toProto(ev.kv()));
            if (e.watcher().prevKv) {
                KeyValue prev = previous(ev);
                if (prev != null) {
                    pe.setPrevKv(KvApplier.toProto(prev));
                }
            }
            b.addEvents(pe);
        }
        return b.build();
    }

    /**
     * The key's version before the event. Events from the apply thread carry it; events read back
     * from history do not, so it is read at {@code modRevision - 1}, as etcd does. A create has
     * none, and a compacted previous version is left out (etcd's answer too).
     */
    private KeyValue previous(Event ev) {
        if (ev.prevKv() != null) {
            return ev.prevKv();
        }
        KeyValue kv = ev.kv();
        if (ev.type() == Event.Type.PUT && kv.createRevision() == kv.modRevision()) {
            return null;
        }
        try {
            List<KeyValue> kvs = store.range(RangeQuery.key(kv.key()).atRevision(kv.modRevision() - 1)).kvs();
            return kvs.isEmpty() ? null : kvs.get(0);
        } catch (MvccException.Compacted e) {
            return null;
        }
    }
}
