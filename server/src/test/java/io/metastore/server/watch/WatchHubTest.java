package io.metastore.server.watch;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchResponse;
import io.etcd.jetcd.options.WatchOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.metastore.command.Compact;
import io.metastore.command.Put;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.metastore.server.watch.HubHarness.await;
import static io.metastore.server.watch.RawWatch.bs;
import static io.metastore.server.watch.RawWatch.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub's own behaviour with chosen settings: progress ticks, the watcher limit, catch-up, shutdown. */
class WatchHubTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void progressNotifyTellsIdleWatchersTheRevisionAndOnlyThem() {
        try (HubHarness h = new HubHarness(HubHarness.settings(100, 64, 100, 1000));
             RawWatch w = new RawWatch(h.channel)) {
            long quiet = w.create(on("a"));
            long notified = w.create(on("a").setProgressNotify(true));
            long rev = h.put("b", "1");
            for (;;) {
                WatchResponse r = w.next();
                assertEquals(notified, r.getWatchId(), () -> "only the progress_notify watcher hears progress: " + r);
                assertEquals(0, r.getEventsCount());
                assertTrue(!r.getCreated() && !r.getCanceled());
                if (r.getHeader().getRevision() == rev) {
                    break;
                }
            }
            assertTrue(quiet != notified);
        }
    }

    @Test
    void jetcdSeesProgressNotifications() throws Exception {
        try (HubHarness h = new HubHarness(HubHarness.settings(100, 64, 100, 1000));
             Client client = Client.builder().endpoints("http://127.0.0.1:" + h.grpc.port()).build()) {
            long rev = h.put("x", "1");
            // jetcd's response type, not the raw one this class otherwise reads.
            BlockingQueue<io.etcd.jetcd.watch.WatchResponse> got = new LinkedBlockingQueue<>();
            try (Watch.Watcher w = client.getWatchClient().watch(ByteSequence.from(b("a")),
                    WatchOption.builder().withProgressNotify(true).build(), got::add)) {
                io.etcd.jetcd.watch.WatchResponse r = got.poll(RawWatch.WAIT_SECONDS, TimeUnit.SECONDS);
                assertTrue(r != null && r.isProgressNotify(), () -> "expected a progress notification");
                assertEquals(rev, r.getHeader().getRevision());
            }
        }
    }

    @Test
    void progressAfterEventsCarriesTheirRevision() {
        try (HubHarness h = new HubHarness(HubHarness.settings(100, 64, 100, 1000));
             RawWatch w = new RawWatch(h.channel)) {
            long id = w.create(on("a").setProgressNotify(true));
            long rev = h.put("a", "1");
            WatchResponse events = w.nextEvents(); // a tick may come first, before the write
            assertEquals(1, events.getEventsCount());
            // The first response after the events is a progress notification at the same revision,
            // sent at a tick after a whole interval without events.
            WatchResponse progress = w.next();
            assertEquals(id, progress.getWatchId());
            assertEquals(0, progress.getEventsCount());
            assertEquals(rev, progress.getHeader().getRevision());
        }
    }

    @Test
    void createsBeyondTheWatcherLimitAreRefusedUntilOneIsCanceled() {
        try (HubHarness h = new HubHarness(HubHarness.settings(3, 64, 60_000, 1000));
             RawWatch w = new RawWatch(h.channel); RawWatch other = new RawWatch(h.channel)) {
            long first = w.create(on("a"));
            w.create(on("b"));
            other.create(on("c"));
            w.send(on("d"));
            WatchResponse refused = w.next();
            assertEquals(WatchResponse.newBuilder().setHeader(refused.getHeader()).setWatchId(-1).setCreated(true)
                    .setCanceled(true).setCancelReason("etcdserver: too many requests").build(), refused);
            w.cancel(first);
            assertTrue(w.next().getCanceled());
            assertEquals(2, w.create(on("d")));
            assertEquals(3, h.hub.watcherCount());
        }
    }

    @Test
    void aClosedStreamReleasesItsWatchers() {
        try (HubHarness h = new HubHarness(HubHarness.settings(10, 64, 60_000, 1000))) {
            RawWatch w = new RawWatch(h.channel);
            w.create(on("a"));
            w.create(on("b").setRangeEnd(bs("c")));
            assertEquals(2, h.hub.watcherCount());
            w.close();
            await("watchers of the cancelled RPC removed", () -> h.hub.watcherCount() == 0);
        }
    }

    @Test
    void aTxnLargerThanTheCatchUpLimitStillArrivesInOneResponse() {
        try (HubHarness h = new HubHarness(HubHarness.settings(10, 8, 60_000, 4));
             RawWatch w = new RawWatch(h.channel)) {
            long start = h.put("p/0", "x");
            List<TxnOp> ops = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ops.add(Put.of(b("p/t" + i), b("v")));
            }
            h.apply(new Txn(List.of(), ops, List.of()));
            for (int i = 1; i <= 30; i++) {
                h.put("p/" + i, "v" + i);
            }
            // From history: 1 put, one 10-event txn, then 30 puts, in reads of about 4 events.
            w.create(on("p/").setRangeEnd(bs("p0")).setStartRevision(start));
            List<Long> revisions = new ArrayList<>();
            int responses = 0;
            while (revisions.size() < 41) {
                WatchResponse r = w.nextEvents();
                responses++;
                r.getEventsList().forEach(e -> revisions.add(e.getKv().getModRevision()));
                long txnEvents = r.getEventsList().stream().filter(e -> e.getKv().getModRevision() == start + 1).count();
                assertTrue(txnEvents == 0 || txnEvents == 10, "the txn's events travel together");
                assertTrue(r.getEventsCount() <= 11, "a read takes whole revisions up to the limit, or one whole txn");
            }
            List<Long> expected = new ArrayList<>();
            expected.add(start);
            for (int i = 0; i < 10; i++) {
                expected.add(start + 1);
            }
            for (int i = 1; i <= 30; i++) {
                expected.add(start + 1 + i);
            }
            assertEquals(expected, revisions);
            assertTrue(responses >= 10, "the limit cut history into several reads: " + responses);
        }
    }

    @Test
    void revisionsAppliedWithoutEventsAreReadFromHistory() {
        try (HubHarness h = new HubHarness(HubHarness.settings(10, 64, 60_000, 1000));
             RawWatch w = new RawWatch(h.channel)) {
            w.create(on("k"));
            long first = h.put("k", "1");
            h.applySilently(Put.of(b("k"), b("2"))); // the hub never hears of this revision
            h.put("k", "3");
            List<String> values = new ArrayList<>();
            while (values.size() < 3) {
                for (Event e : w.nextEvents().getEventsList()) {
                    assertEquals(first + values.size(), e.getKv().getModRevision());
                    values.add(e.getKv().getValue().toStringUtf8());
                }
            }
            assertEquals(List.of("1", "2", "3"), values);
        }
    }

    @Test
    void requestsFromAClientThatDoesNotReadAreAllAnsweredOnceItReads() {
        try (HubHarness h = new HubHarness(HubHarness.settings(10, 64, 60_000, 1000));
             RawWatch w = new RawWatch(h.channel, true)) {
            int n = 10 * WatchStream.CONTROL_BACKLOG;
            for (int i = 0; i < n; i++) {
                w.progress(); // the server stops reading these once its unwritten answers pile up
            }
            w.request(Integer.MAX_VALUE);
            for (int i = 0; i < n; i++) {
                assertEquals(-1, w.next().getWatchId());
            }
            assertEquals(0, w.create(on("a"))); // and the stream still works
        }
    }

    @Test
    void aWatcherLeftBehindByACompactionIsCanceledWithTheCompactRevision() {
        try (HubHarness h = new HubHarness(HubHarness.settings(10, 16, 60_000, 1000));
             RawWatch w = new RawWatch(h.channel, true)) {
            w.send(on("s/").setRangeEnd(bs("s0")));
            w.request(1);
            long id = w.next().getWatchId();
            long first = h.store.currentRevision() + 1;
            String value = "v".repeat(20_000);
            for (int i = 0; i < 300; i++) { // 6 MB: far more than the transport buffers for a client not reading
                h.put("s/" + (i % 7), value);
            }
            await("the watcher fell behind", () -> h.hub.fellBehindCount() > 0);
            long compactAt = h.store.currentRevision();
            h.apply(new Compact(compactAt, false));
            w.request(Integer.MAX_VALUE);
            long expected = first;
            for (;;) {
                WatchResponse r = w.next();
                assertEquals(id, r.getWatchId());
                if (r.getCanceled()) {
                    assertEquals(compactAt, r.getCompactRevision());
                    assertTrue(expected < compactAt, "it was still behind the compaction");
                    break;
                }
                for (Event e : r.getEventsList()) {
                    assertEquals(expected++, e.getKv().getModRevision());
                }
            }
            await("the canceled watcher is gone", () -> h.hub.watcherCount() == 0);
        }
    }

    @Test
    void aWatcherCreatedAfterRevisionsTheHubNeverHeardOfStartsAfterThem() {
        try (HubHarness h = new HubHarness(HubHarness.settings(10, 64, 60_000, 1000));
             RawWatch w = new RawWatch(h.channel)) {
            h.put("k", "1");
            h.applySilently(Put.of(b("k"), b("2"))); // as a snapshot install moves the store on
            w.send(on("k"));
            WatchResponse created = w.next();
            assertEquals(h.store.currentRevision(), created.getHeader().getRevision());
            long rev = h.put("k", "3");
            WatchResponse r = w.nextEvents();
            assertEquals(1, r.getEventsCount());
            assertEquals(rev, r.getEvents(0).getKv().getModRevision());
            assertEquals("3", r.getEvents(0).getKv().getValue().toStringUtf8());
        }
    }

    @Test
    void closingTheHubEndsStreamsWithServerStopped() {
        HubHarness h = new HubHarness(HubHarness.settings(10, 64, 60_000, 1000));
        try (RawWatch w = new RawWatch(h.channel)) {
            w.create(on("a"));
            h.hub.close();
            Throwable t = w.nextError();
            StatusRuntimeException s = assertInstanceOf(StatusRuntimeException.class, t);
            assertEquals(Status.Code.UNAVAILABLE, s.getStatus().getCode());
            assertEquals("etcdserver: server stopped", s.getStatus().getDescription());
            h.put("a", "after close"); // apply goes on without the hub
        } finally {
            h.close();
        }
    }
}
