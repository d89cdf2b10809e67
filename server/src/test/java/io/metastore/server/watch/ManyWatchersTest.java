package io.metastore.server.watch;

import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.metastore.server.watch.HubHarness.await;
import static io.metastore.server.watch.RawWatch.bs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of watchers, one stream that stops reading entirely, and writes at full speed:
 * apply must never wait for the stalled stream, every fast watcher must see every event in
 * order, and the stalled one must get everything, in order, once it reads again.
 */
class ManyWatchersTest {
    static final int STREAMS = 20;
    static final int WATCHERS_PER_STREAM = 100;
    static final int SLOW_WATCHERS = 100;
    static final int WRITES = 200;

    /** Counts events per watcher and records the first ordering violation. */
    static final class Counting implements ClientResponseObserver<WatchRequest, WatchResponse> {
        final Map<Long, Long> next = new ConcurrentHashMap<>();
        final AtomicInteger events = new AtomicInteger();
        final AtomicInteger created = new AtomicInteger();
        final AtomicReference<String> violation = new AtomicReference<>();
        final boolean manual;
        final long firstRevision;
        ClientCallStreamObserver<WatchRequest> requests;

        Counting(boolean manual, long firstRevision) {
            this.manual = manual;
            this.firstRevision = firstRevision;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRequest> r) {
            requests = r;
            if (manual) {
                r.disableAutoRequestWithInitial(0);
            }
        }

        @Override
        public void onNext(WatchResponse r) {
            if (r.getCreated()) {
                created.incrementAndGet();
                return;
            }
            for (Event e : r.getEventsList()) {
                long expected = next.getOrDefault(r.getWatchId(), firstRevision);
                long got = e.getKv().getModRevision();
                if (got != expected) {
                    violation.compareAndSet(null, "watcher " + r.getWatchId() + " expected revision " + expected
                            + ", got " + got);
                }
                next.put(r.getWatchId(), got + 1);
                events.incrementAndGet();
            }
        }

        @Override
        public void onError(Throwable t) {
            violation.compareAndSet(null, "stream failed: " + t);
        }

        @Override
        public void onCompleted() {
        }

        void watchPrefix(int watchers) {
            for (int i = 0; i < watchers; i++) {
                requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                        .setKey(bs("m/")).setRangeEnd(bs("m0"))).build());
            }
        }
    }

    @Test
    void aStalledStreamNeitherBlocksApplyNorLosesEvents() {
        try (HubHarness h = new HubHarness(HubHarness.settings(10_000, 64, 60_000, 1000))) {
            long first = h.store.currentRevision() + 1;
            Counting slow = new Counting(true, first);
            WatchGrpc.newStub(h.channel).watch(slow);
            slow.watchPrefix(SLOW_WATCHERS);
            List<Counting> fast = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                Counting c = new Counting(false, first);
                WatchGrpc.newStub(h.channel).watch(c);
                c.watchPrefix(WATCHERS_PER_STREAM);
                fast.add(c);
            }
            int total = STREAMS * WATCHERS_PER_STREAM + SLOW_WATCHERS;
            await("all watchers created", () -> h.hub.watcherCount() == total
                    && fast.stream().allMatch(c -> c.created.get() == WATCHERS_PER_STREAM));
            String value = "v".repeat(200);

            // The slow stream has asked for no messages at all: if apply waited for it, this would hang.
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (int i = 0; i < WRITES; i++) {
                    h.put("m/" + (i % 17), value + i);
                }
            });
            assertEquals(0, slow.events.get());
            assertTrue(h.hub.fellBehindCount() > 0, "the stalled stream's watchers left the synced group");

            int perStream = WATCHERS_PER_STREAM * WRITES;
            await("every fast watcher saw every event", () -> fast.stream().allMatch(c -> c.events.get() == perStream));
            fast.forEach(c -> assertNull(c.violation.get()));
            fast.forEach(c -> assertEquals(WATCHERS_PER_STREAM, c.next.size()));

            slow.requests.request(Integer.MAX_VALUE);
            await("the stalled stream caught up", () -> slow.events.get() == SLOW_WATCHERS * WRITES);
            assertNull(slow.violation.get());
            slow.next.values().forEach(n -> assertEquals(first + WRITES, n));
            await("everyone back in the synced group", () -> h.hub.unsyncedCount() == 0);
        }
    }
}
