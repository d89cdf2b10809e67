package io.metastore.reliability;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watcher on one member that lives through the faults as clientv3's does: a prefix watch from
 * revision 1, and after the stream breaks (the member was killed or paused) a new one from the
 * revision after the last event it saw. What it records must be the store's history itself:
 * revisions strictly increasing, no event twice, none missing, and the same on every member.
 */
final class WatchRecorder implements AutoCloseable {

    /** One event as the watcher saw it. */
    record Seen(long revision, boolean delete, String key, String value) {
        static Seen of(Event e) {
            boolean delete = e.getType() == Event.EventType.DELETE;
            return new Seen(e.getKv().getModRevision(), delete, e.getKv().getKey().toStringUtf8(),
                    delete ? null : e.getKv().getValue().toStringUtf8());
        }
    }

    private final ProcessCluster cluster;
    private final int member;
    private final String prefix;
    private final List<Seen> events = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private int reconnects;
    /** The stream of the moment, for progress requests. */
    private volatile StreamObserver<WatchRequest> current;
    /** The highest revision a progress notification confirmed: every event up to it has been delivered. */
    private volatile long progress;

    WatchRecorder(ProcessCluster cluster, int member, String prefix) {
        this.cluster = cluster;
        this.member = member;
        this.prefix = prefix;
        this.thread = new Thread(this::loop, "watch-recorder-" + (member + 1));
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (running.get()) {
            long from = nextRevision();
            Object done = new Object();
            AtomicBoolean ended = new AtomicBoolean();
            StreamObserver<WatchRequest> out = WatchGrpc.newStub(cluster.channel(member)).watch(new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse r) {
                    if (r.getCompactRevision() != 0) {
                        problem("watch from " + from + " answered compacted at " + r.getCompactRevision());
                    }
                    for (Event e : r.getEventsList()) {
                        record(Seen.of(e));
                    }
                    if (r.getEventsCount() == 0 && !r.getCreated() && !r.getCanceled()) {
                        progress = Math.max(progress, r.getHeader().getRevision());
                    }
                    if (r.getCanceled()) {
                        end();
                    }
                }

                @Override
                public void onError(Throwable t) {
                    end();
                }

                @Override
                public void onCompleted() {
                    end();
                }

                private void end() {
                    synchronized (done) {
                        ended.set(true);
                        done.notifyAll();
                    }
                }
            });
            ByteString start = ByteString.copyFromUtf8(prefix);
            out.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(start)
                    .setRangeEnd(ProcessCluster.prefixEnd(start)).setStartRevision(from)).build());
            current = out;
            synchronized (done) {
                while (!ended.get() && running.get()) {
                    try {
                        done.wait(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            try {
                synchronized (out) {
                    out.onCompleted();
                }
            } catch (RuntimeException ignored) {
                // the stream is already gone
            }
            if (running.get()) {
                synchronized (this) {
                    reconnects++;
                }
                ProcessCluster.sleep(200);
            }
        }
    }

    private synchronized long nextRevision() {
        return events.isEmpty() ? 1 : events.get(events.size() - 1).revision() + 1;
    }

    private synchronized void record(Seen s) {
        Seen last = events.isEmpty() ? null : events.get(events.size() - 1);
        // events of one txn share a revision (on different keys); anything else must move forward
        if (last != null && (s.revision() < last.revision() || s.revision() == last.revision() && s.key().equals(last.key()))) {
            problem("member " + (member + 1) + " delivered " + s + " after " + last);
            return;
        }
        events.add(s);
    }

    private synchronized void problem(String p) {
        if (problems.size() < 20) {
            problems.add(p);
        }
    }

    /**
     * Waits until a progress notification (asked for with etcd's progress request) confirms the
     * watcher has been sent every event up to {@code revision}; false on timeout.
     */
    boolean awaitRevision(long revision, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (progress < revision && System.nanoTime() < deadline) {
            StreamObserver<WatchRequest> out = current;
            if (out != null) {
                try {
                    synchronized (out) {
                        out.onNext(WatchRequest.newBuilder().setProgressRequest(
                                io.etcd.jetcd.api.WatchProgressRequest.getDefaultInstance()).build());
                    }
                } catch (RuntimeException e) {
                    // the stream broke; the loop opens another
                }
            }
            ProcessCluster.sleep(200);
        }
        return progress >= revision;
    }

    /** How many distinct revisions the recorded events span (one per write of a single key). */
    synchronized long distinctRevisions() {
        return events.stream().mapToLong(Seen::revision).distinct().count();
    }

    synchronized List<Seen> events() {
        return List.copyOf(events);
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    synchronized int reconnects() {
        return reconnects;
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The recorders' events against each other and against the acknowledged writes: every
     * member's events are identical, and each acknowledged put, CAS or delete that removed a key
     * is there at its revision.
     */
    static void check(List<WatchRecorder> recorders, List<Op> ops, long finalRevision, List<String> problems) {
        for (WatchRecorder r : recorders) {
            if (!r.awaitRevision(finalRevision, 60_000)) {
                problems.add("watcher on member " + (r.member + 1) + " is confirmed only up to revision " + r.progress
                        + " of " + finalRevision + " (last event at " + (r.nextRevision() - 1) + ")");
            }
            problems.addAll(r.problems());
        }
        List<Seen> reference = recorders.get(0).events();
        for (WatchRecorder r : recorders.subList(1, recorders.size())) {
            List<Seen> mine = r.events();
            if (!mine.equals(reference)) {
                int i = 0;
                while (i < Math.min(mine.size(), reference.size()) && mine.get(i).equals(reference.get(i))) {
                    i++;
                }
                problems.add("watchers on members 1 and " + (r.member + 1) + " differ at event " + i + ": "
                        + (i < reference.size() ? reference.get(i) : "end") + " vs " + (i < mine.size() ? mine.get(i) : "end"));
            }
        }
        Map<Long, Seen> byRevision = new java.util.HashMap<>();
        reference.forEach(s -> byRevision.put(s.revision(), s));
        int missing = 0;
        for (Op op : ops) {
            if (!op.acknowledgedMutation()) {
                continue;
            }
            Seen s = byRevision.get(op.revision());
            boolean ok = s != null && s.key().equals(op.key())
                    && (op.kind() == Op.Kind.DELETE ? s.delete() : !s.delete() && Objects.equals(s.value(), op.value()));
            if (!ok && missing++ < 10) {
                problems.add("watchers lack acknowledged " + op + " (saw " + s + ")");
            }
        }
    }
}
