package io.metastore.server.watch;

import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.metastore.mvcc.Event;
import io.metastore.mvcc.KeyValue;
import io.metastore.mvcc.MvccException;
import io.metastore.mvcc.MvccStore;
import io.metastore.mvcc.RangeQuery;
import io.metastore.server.apply.Applied;
import io.metastore.server.error.EtcdError;
import io.metastore.server.error.GrpcErrors;
import io.metastore.server.kv.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every watcher of one member, and the hand-off of applied changes to them, after etcd's
 * watchable store: a <em>synced</em> group fed directly by the apply thread, and an
 * <em>unsynced</em> group (etcd's unsynced and victim groups in one) that catches up by reading
 * {@link MvccStore#history MVCC history} on the hub thread.
 *
 * <h2>Threading contract</h2>
 * <ul>
 *   <li><b>Apply thread</b> (jraft's FSM caller) calls {@link #onApplied} after each entry. It
 *       takes the hub lock, and for each synced watcher the change concerns it appends one item
 *       to the watcher's stream buffer ({@link WatchStream#tryReserve}: a CAS, never a wait).
 *       When the buffer is full the watcher leaves the synced group, remembering the first
 *       revision it missed; nothing else happens on the apply thread, so no watcher and no client
 *       can slow apply down. The lock is held only for that in-memory fan-out.</li>
 *   <li><b>RPC inbound threads</b> (gRPC's executor, one request at a time per RPC) create and
 *       cancel watchers under the hub lock.</li>
 *   <li><b>The hub thread</b> (one per hub) catches unsynced watchers up: it reads history
 *       <em>outside</em> the lock, a bounded number of events per watcher and only when its
 *       buffer has room, then under the lock appends them as one response and, once a watcher has everything
 *       up to the last revision the apply thread announced, moves it back to the synced group.
 *       Events the apply thread delivers that a catch-up read already covered are skipped by
 *       revision ({@code Watcher.nextRevision}). It also runs the progress ticker. Only the hub
 *       thread moves a watcher from unsynced to synced; only the apply thread moves one back
 *       (a cancel or a closed stream removes a watcher from either group).</li>
 *   <li><b>Sender threads</b> (a small pool) drain stream buffers into gRPC, one drain per stream
 *       at a time, only while the transport is ready; they read the store for {@code prev_kv} of
 *       history events, never take the hub lock, and wake the hub thread (a flag and a task
 *       hand-off) when a full buffer has drained to half.</li>
 * </ul>
 *
 * <p>Lock order: the hub lock is the only lock in this package, and nothing that can wait (a
 * store read, a gRPC write) runs while it is held. Memory stays bounded: each stream buffers at
 * most {@link Settings#streamBuffer} event responses, a catch-up response holds the events of
 * one history read of at most {@link Settings#catchUpEvents} events (more only when a single
 * request changed more keys), and at most {@link Settings#maxWatchers} watchers exist.
 *
 * <p>Responses: a live response holds the events of one request at its revision, with that
 * revision in the header (etcd's synced path); a catch-up response holds the events of several
 * revisions, never splitting a request, with the revision read up to in the header (etcd's
 * unsynced path).
 */
public final class WatchHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchHub.class);
    /** etcd's {@code mvcc.ErrEmptyWatcherRange}, sent as a cancel reason. */
    static final String EMPTY_RANGE = "mvcc: watcher range is empty";
    /** etcd's {@code mvcc.ErrWatcherDuplicateID}, sent as a cancel reason. */
    static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";
    /** How soon the hub thread looks again at watchers it could not bring back to the synced group. */
    private static final long RETRY_MILLIS = 20;

    /**
     * @param maxWatchers    watchers this member serves at most; a create beyond it is refused
     *                       (created and canceled, reason "etcdserver: too many requests")
     * @param streamBuffer   event responses buffered per stream before its watchers fall behind
     * @param progressIntervalMillis how often idle {@code progress_notify} watchers hear the revision (etcd: 10 minutes)
     * @param catchUpEvents  most events one catch-up read takes from history for one watcher
     * @param maxResponseBytes size from which a {@code fragment} watcher's responses are split
     *                       (etcd: its request limit plus gRPC overhead, 2 MiB)
     */
    public record Settings(int maxWatchers, int streamBuffer, long progressIntervalMillis, int catchUpEvents,
                           int maxResponseBytes) {
        public Settings {
            if (maxWatchers < 1 || streamBuffer < 1 || progressIntervalMillis < 1 || catchUpEvents < 1
                    || maxResponseBytes < 1) {
                throw new IllegalArgumentException("watch settings must be positive: " + maxWatchers + ", "
                        + streamBuffer + ", " + progressIntervalMillis + ", " + catchUpEvents + ", " + maxResponseBytes);
            }
        }

        public static Settings defaults() {
            return forLimits(100_000, io.metastore.server.config.ServerConfig.Limits.DEFAULT_MAX_REQUEST_BYTES);
        }

        /** The defaults, with the configured watcher limit and responses split as etcd splits them. */
        public static Settings forLimits(int maxWatchers, int maxRequestBytes) {
            return new Settings(maxWatchers, 1024, TimeUnit.MINUTES.toMillis(10), 1000,
                    maxRequestBytes + io.metastore.server.config.ServerConfig.Limits.GRPC_OVERHEAD_BYTES);
        }
    }

    private final MvccStore store;
    private final Settings settings;
    private final ReentrantLock lock = new ReentrantLock();
    // ---- guarded by lock
    private final Map<ByteBuffer, Set<Watcher>> syncedByKey = new HashMap<>();
    private final Set<Watcher> syncedRanges = new LinkedHashSet<>();
    private final Set<Watcher> unsynced = new LinkedHashSet<>();
    private final Set<Watcher> progressWatchers = new LinkedHashSet<>();
    /** The last revision whose events went through {@link #onApplied}. */
    private long notifiedRevision;
    private int watcherCount;
    private boolean closed;
    // ----
    private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService hubThread;
    private final ExecutorService senders;
    private final AtomicBoolean syncRequested = new AtomicBoolean();
    private final AtomicLong fellBehind = new AtomicLong();

    public WatchHub(MvccStore store, Settings settings) {
        this.store = store;
        this.settings = settings;
        this.notifiedRevision = store.currentRevision();
        this.hubThread = Executors.newSingleThreadScheduledExecutor(daemon("watch-hub", null));
        this.senders = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors() / 2),
                daemon("watch-send-", new AtomicInteger()));
        hubThread.scheduleWithFixedDelay(this::progressTick, settings.progressIntervalMillis(),
                settings.progressIntervalMillis(), TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory daemon(String name, AtomicInteger counter) {
        return r -> {
            Thread t = new Thread(r, counter == null ? name : name + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ apply thread

    /**
     * Hands the events of applied requests to the synced watchers; called on the apply thread
     * after each entry, in log order. Never waits for a watcher or a client.
     */
    public void onApplied(List<Applied> applied) {
        boolean wake = false;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            for (Applied a : applied) {
                List<Event> events = a.events();
                if (a.isError() || events.isEmpty()) {
                    continue;
                }
                wake |= notify(events.get(0).kv().modRevision(), events);
            }
        } finally {
            lock.unlock();
        }
        if (wake) {
            requestSync();
        }
    }

    /** Fans one revision out; returns whether a watcher fell behind. Called with the lock held. */
    private boolean notify(long revision, List<Event> events) {
        boolean behind = false;
        if (revision <= notifiedRevision) {
            return false;
        }
        if (revision > notifiedRevision + 1) {
            // Revisions arrived without events (a snapshot was installed): nobody synced saw them,
            // so everyone reads them from history (or learns they are compacted).
            for (Watcher w : allSynced()) {
                w.nextRevision = Math.max(w.nextRevision, notifiedRevision + 1);
                demote(w);
                behind = true;
            }
        }
        notifiedRevision = revision;
        List<Watcher> victims = null;
        if (events.size() == 1) {
            Event e = events.get(0);
            List<Event> one = List.of(e);
            Set<Watcher> exact = syncedByKey.get(ByteBuffer.wrap(e.kv().key()));
            if (exact != null) {
                for (Watcher w : exact) {
                    if (w.accepts(e) && !deliver(w, revision, one)) {
                        victims = add(victims, w);
                    }
                }
            }
            for (Watcher w : syncedRanges) {
                if (w.accepts(e) && w.keys.contains(e.kv().key()) && !deliver(w, revision, one)) {
                    victims = add(victims, w);
                }
            }
        } else {
            Set<Watcher> candidates = new LinkedHashSet<>();
            for (Event e : events) {
                Set<Watcher> exact = syncedByKey.get(ByteBuffer.wrap(e.kv().key()));
                if (exact != null) {
                    candidates.addAll(exact);
                }
            }
            candidates.addAll(syncedRanges);
            for (Watcher w : candidates) {
                List<Event> selected = w.select(events);
                if (!selected.isEmpty() && !deliver(w, revision, selected)) {
                    victims = add(victims, w);
                }
            }
        }
        if (victims != null) {
            for (Watcher w : victims) {
                demote(w);
            }
            fellBehind.addAndGet(victims.size());
            behind = true;
        }
        return behind;
    }

    private static List<Watcher> add(List<Watcher> list, Watcher w) {
        List<Watcher> l = list == null ? new ArrayList<>() : list;
        l.add(w);
        return l;
    }

    /** Appends one revision's events for {@code w}; false when its stream has no room. */
    private boolean deliver(Watcher w, long revision, List<Event> events) {
        if (revision < w.nextRevision) {
            return true; // already sent from history, or before the watcher's start revision
        }
        if (!w.stream.tryReserve(1)) {
            w.nextRevision = revision;
            return false;
        }
        w.stream.appendReserved(w, revision, events);
        w.nextRevision = revision + 1;
        w.sentSinceTick = true;
        return true;
    }

    // ------------------------------------------------------------------ RPC threads

    /** Opens the hub side of one Watch RPC. */
    WatchStream openStream(Headers headers, ServerCallStreamObserver<WatchResponse> out) {
        WatchStream s = new WatchStream(this, store, headers, out, senders, settings.streamBuffer(),
                settings.maxResponseBytes());
        boolean refused;
        lock.lock();
        try {
            refused = closed;
            if (!refused) {
                streams.add(s);
            }
        } finally {
            lock.unlock();
        }
        if (refused) {
            s.markClosed();
            out.onError(GrpcErrors.toStatus(EtcdError.STOPPED.exception())); // nothing else writes to a new RPC
        }
        return s;
    }

    /**
     * Creates a watcher and answers "created" (or created and canceled, with etcd's reason), in
     * that order before any of its events. {@code startRevision <= 0} means "after now";
     * {@code requestedId == 0} lets the stream choose the id.
     */
    void watch(WatchStream s, long requestedId, byte[] key, byte[] rangeEnd, long startRevision, boolean noPut,
               boolean noDelete, boolean prevKv, boolean progressNotify, boolean fragment) {
        if (key.length == 0) {
            key = new byte[] {0}; // etcd: "\0" is the smallest key
        }
        boolean fromKey = rangeEnd.length == 1 && rangeEnd[0] == 0;
        boolean needSync = false;
        // Read before the lock; revisions only grow. It can be ahead of notifiedRevision while an
        // entry is between commit and onApplied, or after a snapshot was installed.
        long storeRevision = store.currentRevision();
        lock.lock();
        try {
            long now = Math.max(storeRevision, notifiedRevision);
            String refusal = null;
            if (closed) {
                refusal = EtcdError.STOPPED.message();
            } else if (rangeEnd.length > 0 && !fromKey && Arrays.compareUnsigned(key, rangeEnd) >= 0) {
                refusal = EMPTY_RANGE;
            } else if (requestedId != 0 && s.watchers.containsKey(requestedId)) {
                refusal = DUPLICATE_ID;
            } else if (watcherCount >= settings.maxWatchers()) {
                refusal = EtcdError.TOO_MANY_REQUESTS.message();
            }
            if (refusal != null) {
                s.appendControl(WatchResponse.newBuilder().setHeader(s.headers().at(now))
                        .setWatchId(-1).setCreated(true).setCanceled(true).setCancelReason(refusal).build());
                return;
            }
            long id = requestedId != 0 ? requestedId : s.allocateId();
            Watcher w = new Watcher(s, id, RangeQuery.of(key, rangeEnd), noPut, noDelete, prevKv, progressNotify,
                    fragment);
            s.watchers.put(w.id, w);
            watcherCount++;
            if (progressNotify) {
                progressWatchers.add(w);
            }
            s.appendControl(WatchResponse.newBuilder().setHeader(s.headers().at(now))
                    .setWatchId(w.id).setCreated(true).build());
            // etcd: created at the current revision, watching from the next one unless told otherwise.
            if (startRevision <= 0 || startRevision > notifiedRevision) {
                w.nextRevision = startRevision <= 0 ? now + 1 : startRevision;
                addSynced(w);
            } else {
                w.nextRevision = startRevision;
                unsynced.add(w);
                needSync = true;
            }
        } finally {
            lock.unlock();
        }
        if (needSync) {
            requestSync();
        }
    }

    /** Cancels watcher {@code id}: answers canceled; an unknown id gets no answer, as in etcd 3.4. */
    void cancel(WatchStream s, long id) {
        lock.lock();
        try {
            Watcher w = s.watchers.get(id);
            if (w == null || w.removed) {
                return;
            }
            remove(w);
            s.appendControl(WatchResponse.newBuilder().setHeader(s.headers().at(notifiedRevision))
                    .setWatchId(id).setCanceled(true).build());
        } finally {
            lock.unlock();
        }
    }

    /** Answers a progress request: the revision every synced watcher has seen, for no watcher in particular (-1). */
    void progress(WatchStream s) {
        lock.lock();
        try {
            s.appendControl(WatchResponse.newBuilder().setHeader(s.headers().at(notifiedRevision)).setWatchId(-1)
                    .build());
        } finally {
            lock.unlock();
        }
    }

    /** The RPC ended (client cancel, error, or completed): its watchers go away. */
    void closeStream(WatchStream s) {
        lock.lock();
        try {
            for (Watcher w : s.watchers.values()) {
                if (!w.removed) {
                    remove(w);
                }
            }
        } finally {
            lock.unlock();
        }
        s.markClosed();
        streams.remove(s);
    }

    // ------------------------------------------------------------------ hub thread

    /** Asks the hub thread for a catch-up round; safe from any thread, never waits. */
    void requestSync() {
        if (syncRequested.compareAndSet(false, true)) {
            try {
                hubThread.execute(this::syncRound);
            } catch (RejectedExecutionException e) {
                syncRequested.set(false); // closing
            }
        }
    }

    private void syncRound() {
        syncRequested.set(false);
        List<Watcher> todo;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            todo = new ArrayList<>(unsynced);
        } finally {
            lock.unlock();
        }
        boolean retry = false;
        boolean progressed = false;
        for (Watcher w : todo) {
            try {
                CatchUp c = catchUp(w);
                retry |= c != CatchUp.DONE;
                progressed |= c == CatchUp.PROGRESSED;
            } catch (RuntimeException | LinkageError e) {
                // Never let the hub thread's task die quietly: the watcher would wait forever.
                LOG.error("watcher {} could not catch up; will retry", w.id, e);
                retry = true;
            }
        }
        if (progressed) {
            requestSync(); // another round at once, behind whatever else the hub thread has to do
        } else if (retry) {
            try {
                hubThread.schedule(this::requestSync, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** What one catch-up step achieved. */
    private enum CatchUp {
        /** Back in the synced group, or gone. */
        DONE,
        /** Moved forward but still behind. */
        PROGRESSED,
        /** No room in its stream's buffer: wait for the client to read. */
        STUCK
    }

    /** One catch-up step for an unsynced watcher. */
    private CatchUp catchUp(Watcher w) {
        long from;
        lock.lock();
        try {
            if (w.removed || w.synced) {
                return CatchUp.DONE;
            }
            from = w.nextRevision;
        } finally {
            lock.unlock();
        }
        WatchStream s = w.stream;
        if (s.room() <= 0) {
            s.noteFull();
            return CatchUp.STUCK;
        }
        long to = store.currentRevision();
        List<Event> events = new ArrayList<>();
        long covered;
        try {
            covered = read(w, from, to, events);
        } catch (MvccException.Compacted e) {
            compacted(w);
            return CatchUp.DONE;
        }
        lock.lock();
        try {
            if (w.removed) {
                return CatchUp.DONE;
            }
            if (!events.isEmpty()) {
                if (!s.tryReserve(1)) {
                    s.noteFull();
                    return CatchUp.STUCK; // live events for the stream's other watchers took the room; next round
                }
                s.appendReserved(w, to, events);
                w.sentSinceTick = true;
            }
            w.nextRevision = Math.max(w.nextRevision, covered + 1);
            if (w.nextRevision > notifiedRevision) {
                unsynced.remove(w);
                addSynced(w);
                return CatchUp.DONE;
            }
            return CatchUp.PROGRESSED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads {@code w}'s events of revisions {@code from..to} (filters applied) and returns the
     * last revision fully covered. Like etcd's catch-up, the events of many revisions travel in
     * one response; a read cut by the event limit drops its last, possibly partial, revision, and
     * a single revision larger than the limit is read whole, since one request's events always
     * travel together. Unlike etcd, a response stops at the revision where its events reach
     * {@link Settings#maxResponseBytes} (clients cannot tell: only response boundaries move).
     */
    private long read(Watcher w, long from, long to, List<Event> out) {
        List<Event> events = new ArrayList<>();
        long compact = store.compactRevision();
        if (compact > 0 && from == compact) {
            // etcd serves a watch from exactly the compaction revision with the versions kept at it.
            for (KeyValue kv : store.range(w.keys.atRevision(compact).filtered(compact, compact, 0, 0)).kvs()) {
                events.add(new Event(Event.Type.PUT, kv, null));
            }
            from = compact + 1;
        }
        int limit = settings.catchUpEvents();
        List<Event> h = store.history(from, to, w.keys.key(), w.keys.rangeEnd(), limit);
        long covered = to;
        if (h.size() >= limit) {
            long first = h.get(0).kv().modRevision();
            long last = h.get(h.size() - 1).kv().modRevision();
            if (first == last) {
                h = store.history(last, last, w.keys.key(), w.keys.rangeEnd(), 0);
                covered = last;
            } else {
                int end = h.size();
                while (h.get(end - 1).kv().modRevision() == last) {
                    end--;
                }
                h = h.subList(0, end);
                covered = last - 1;
            }
        }
        events.addAll(h);
        // Whole revisions only, and no more than about one response's worth of bytes, so a client
        // with gRPC's default 4 MiB message limit can take any catch-up response.
        long bytes = 0;
        long revision = -1;
        for (Event e : events) {
            long r = e.kv().modRevision();
            if (r != revision) {
                if (bytes >= settings.maxResponseBytes()) {
                    return revision;
                }
                revision = r;
            }
            if (w.accepts(e)) {
                out.add(e);
                bytes += approximateSize(e.kv()) * (w.prevKv ? 2L : 1L);
            }
        }
        return covered;
    }

    private static long approximateSize(KeyValue kv) {
        return kv.key().length + kv.value().length + 32L;
    }

    /** etcd's answer to a watcher whose next revision is compacted away: canceled, with the compaction revision. */
    private void compacted(Watcher w) {
        lock.lock();
        try {
            if (w.removed) {
                return;
            }
            remove(w);
            // etcd sends this response with a header revision of 0.
            w.stream.appendControl(WatchResponse.newBuilder().setHeader(w.stream.headers().at(0))
                    .setWatchId(w.id).setCanceled(true).setCompactRevision(store.compactRevision()).build());
        } finally {
            lock.unlock();
        }
    }

    /** etcd 3.4's progress ticker: a synced progress_notify watcher that got no events since the last tick hears the revision. */
    private void progressTick() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            for (Watcher w : progressWatchers) {
                if (w.synced && !w.sentSinceTick) {
                    w.stream.appendIfRoom(WatchResponse.newBuilder()
                            .setHeader(w.stream.headers().at(notifiedRevision)).setWatchId(w.id).build());
                }
                w.sentSinceTick = false;
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ groups (lock held)

    private void addSynced(Watcher w) {
        w.synced = true;
        if (w.isSingleKey()) {
            syncedByKey.computeIfAbsent(ByteBuffer.wrap(w.keys.key()), k -> new LinkedHashSet<>()).add(w);
        } else {
            syncedRanges.add(w);
        }
    }

    private void removeSynced(Watcher w) {
        if (w.isSingleKey()) {
            ByteBuffer k = ByteBuffer.wrap(w.keys.key());
            Set<Watcher> set = syncedByKey.get(k);
            if (set != null && set.remove(w) && set.isEmpty()) {
                syncedByKey.remove(k);
            }
        } else {
            syncedRanges.remove(w);
        }
        w.synced = false;
    }

    private void demote(Watcher w) {
        if (w.synced) {
            removeSynced(w);
            unsynced.add(w);
        }
    }

    private List<Watcher> allSynced() {
        List<Watcher> all = new ArrayList<>(syncedRanges);
        syncedByKey.values().forEach(all::addAll);
        return all;
    }

    private void remove(Watcher w) {
        if (w.synced) {
            removeSynced(w);
        } else {
            unsynced.remove(w);
        }
        progressWatchers.remove(w);
        w.stream.watchers.remove(w.id);
        w.removed = true;
        watcherCount--;
    }

    // ------------------------------------------------------------------ observation and shutdown

    /** The store's current revision, for headers of answers the hub does not build itself. */
    long currentRevision() {
        return store.currentRevision();
    }

    /** Watchers that exist now. */
    public int watcherCount() {
        lock.lock();
        try {
            return watcherCount;
        } finally {
            lock.unlock();
        }
    }

    /** Open Watch RPCs. */
    public int streamCount() {
        return streams.size();
    }

    /** Watchers currently catching up from history. */
    public int unsyncedCount() {
        lock.lock();
        try {
            return unsynced.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many times a watcher fell out of the synced group because its stream's buffer was full. */
    public long fellBehindCount() {
        return fellBehind.get();
    }

    /**
     * Ends every Watch RPC with "etcdserver: server stopped" (UNAVAILABLE, so clients resume
     * elsewhere) and stops the hub's threads. Later {@link #onApplied} calls do nothing.
     * Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        hubThread.shutdownNow();
        for (WatchStream s : streams) {
            s.fail(GrpcErrors.toStatus(EtcdError.STOPPED.exception()));
        }
        senders.shutdown();
        try {
            if (!senders.awaitTermination(2, TimeUnit.SECONDS)) {
                senders.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            senders.shutdownNow();
        }
    }
}
