package io.metastore.server.watch;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.metastore.server.watch.RawWatch.bs;
import static io.metastore.server.watch.RawWatch.on;
import static io.metastore.server.watch.RawWatch.withNewerFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd's Watch service as etcd 3.4 answers it, through the raw gRPC stub on one member: every
 * answer below was checked against a real etcd 3.4.23. Each test works under its own key prefix.
 */
class WatchProtocolTest {
    @TempDir
    static Path dir;
    static MetaStoreServer server;
    static ManagedChannel channel;
    static KVGrpc.KVBlockingStub kv;
    static final AtomicInteger PREFIXES = new AtomicInteger();

    final String prefix = "w" + PREFIXES.incrementAndGet() + "/";

    @BeforeAll
    static void start() {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--storage", "memory"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        kv = KVGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    String k(String key) {
        return prefix + key;
    }

    long put(String key, String value) {
        return kv.put(PutRequest.newBuilder().setKey(bs(k(key))).setValue(bs(value)).build()).getHeader().getRevision();
    }

    long delete(String key) {
        return kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bs(k(key))).build()).getHeader().getRevision();
    }

    WatchCreateRequest.Builder onPrefix() {
        return on(prefix).setRangeEnd(bs(prefix.substring(0, prefix.length() - 1) + "0"));
    }

    static List<String> keys(WatchResponse r) {
        List<String> out = new ArrayList<>();
        for (Event e : r.getEventsList()) {
            out.add(e.getType() + " " + e.getKv().getKey().toStringUtf8());
        }
        return out;
    }

    @Test
    void watchIdsStartAtZeroPerStreamAndCreatedCarriesTheCurrentRevision() {
        long rev = put("a", "1");
        try (RawWatch w = new RawWatch(channel); RawWatch other = new RawWatch(channel)) {
            w.send(on(k("a")));
            WatchResponse created = w.next();
            assertTrue(created.getCreated());
            assertEquals(0, created.getWatchId());
            assertEquals(rev, created.getHeader().getRevision());
            assertNotEquals(0, created.getHeader().getClusterId());
            assertNotEquals(0, created.getHeader().getMemberId());
            assertEquals(1, w.create(on(k("b"))));
            assertEquals(2, w.create(on(k("c"))));
            assertEquals(0, other.create(on(k("a"))));
        }
    }

    @Test
    void eventsArriveWithTheirRevisionInTheHeader() {
        try (RawWatch w = new RawWatch(channel)) {
            long id = w.create(on(k("a")));
            long r1 = put("a", "1");
            long r2 = delete("a");
            WatchResponse put = w.nextEvents();
            assertEquals(id, put.getWatchId());
            assertEquals(r1, put.getHeader().getRevision());
            Event e = put.getEvents(0);
            assertEquals(Event.EventType.PUT, e.getType());
            assertEquals(k("a"), e.getKv().getKey().toStringUtf8());
            assertEquals("1", e.getKv().getValue().toStringUtf8());
            assertEquals(r1, e.getKv().getCreateRevision());
            assertEquals(r1, e.getKv().getModRevision());
            assertEquals(1, e.getKv().getVersion());
            assertFalse(e.hasPrevKv());
            WatchResponse del = w.nextEvents();
            assertEquals(r2, del.getHeader().getRevision());
            Event d = del.getEvents(0);
            assertEquals(Event.EventType.DELETE, d.getType());
            // A delete's kv carries only the key and the deleting revision.
            assertEquals(io.etcd.jetcd.api.KeyValue.newBuilder().setKey(bs(k("a"))).setModRevision(r2).build(), d.getKv());
        }
    }

    @Test
    void keyPrefixRangeAndFromKeyWatchersSelectTheirKeys() {
        try (RawWatch w = new RawWatch(channel)) {
            long single = w.create(on(k("b")));
            long pre = w.create(onPrefix());
            long range = w.create(on(k("b")).setRangeEnd(bs(k("d"))));
            long fromKey = w.create(on(k("c")).setRangeEnd(ByteString.copyFrom(new byte[] {0})));
            for (String key : List.of("a", "b", "c", "d")) {
                put(key, "v");
            }
            String after = prefix.substring(0, prefix.length() - 1) + "0"; // sorts after every key of the prefix
            kv.put(PutRequest.newBuilder().setKey(bs(after)).setValue(bs("outside the prefix")).build());
            List<String> seen = new ArrayList<>();
            // 1 + 4 + 2 + 3 events; responses of different watchers may interleave per revision.
            for (int i = 0; i < 10; i++) {
                WatchResponse r = w.nextEvents();
                seen.add(r.getWatchId() + " " + r.getEvents(0).getKv().getKey().toStringUtf8());
            }
            assertEquals(List.of(single + " " + k("b")), only(seen, single));
            assertEquals(List.of(pre + " " + k("a"), pre + " " + k("b"), pre + " " + k("c"), pre + " " + k("d")),
                    only(seen, pre));
            assertEquals(List.of(range + " " + k("b"), range + " " + k("c")), only(seen, range));
            assertEquals(List.of(fromKey + " " + k("c"), fromKey + " " + k("d"), fromKey + " " + after),
                    only(seen, fromKey));
        }
    }

    private static List<String> only(List<String> seen, long id) {
        return seen.stream().filter(s -> s.startsWith(id + " ")).toList();
    }

    @Test
    void anEmptyKeyWithRangeEndZeroWatchesEveryKey() {
        try (RawWatch w = new RawWatch(channel)) {
            w.create(WatchCreateRequest.newBuilder().setRangeEnd(ByteString.copyFrom(new byte[] {0})));
            put("x", "1");
            assertEquals(List.of("PUT " + k("x")), keys(w.nextEvents()));
        }
    }

    @Test
    void anEmptyRangeIsRefusedAsEtcdDoes() {
        long rev = put("a", "1");
        try (RawWatch w = new RawWatch(channel)) {
            w.send(on(k("b")).setRangeEnd(bs(k("a"))));
            WatchResponse r = w.next();
            assertEquals(WatchResponse.newBuilder().setHeader(r.getHeader()).setWatchId(-1).setCreated(true)
                    .setCanceled(true).setCancelReason("mvcc: watcher range is empty").build(), r);
            assertEquals(rev, r.getHeader().getRevision());
            // The refused create used no id.
            assertEquals(0, w.create(on(k("a"))));
        }
    }

    @Test
    void theEventsOfOneTxnArriveTogetherInOrder() {
        put("c", "0");
        try (RawWatch w = new RawWatch(channel)) {
            w.create(onPrefix());
            long rev = kv.txn(TxnRequest.newBuilder()
                    .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs(k("b"))).setValue(bs("1"))))
                    .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs(k("a"))).setValue(bs("2"))))
                    .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(bs(k("c")))))
                    .build()).getHeader().getRevision();
            WatchResponse r = w.nextEvents();
            assertEquals(List.of("PUT " + k("b"), "PUT " + k("a"), "DELETE " + k("c")), keys(r));
            assertEquals(rev, r.getHeader().getRevision());
            r.getEventsList().forEach(e -> assertEquals(rev, e.getKv().getModRevision()));
        }
    }

    @Test
    void prevKvCarriesThePreviousVersionExceptForACreate() {
        try (RawWatch w = new RawWatch(channel)) {
            w.create(on(k("a")).setPrevKv(true));
            long r1 = put("a", "1");
            put("a", "2");
            delete("a");
            assertFalse(w.nextEvents().getEvents(0).hasPrevKv());
            Event second = w.nextEvents().getEvents(0);
            assertEquals("1", second.getPrevKv().getValue().toStringUtf8());
            assertEquals(r1, second.getPrevKv().getModRevision());
            Event del = w.nextEvents().getEvents(0);
            assertEquals(Event.EventType.DELETE, del.getType());
            assertEquals("2", del.getPrevKv().getValue().toStringUtf8());
            assertEquals(2, del.getPrevKv().getVersion());
        }
    }

    @Test
    void filtersDropPutsOrDeletes() {
        try (RawWatch w = new RawWatch(channel)) {
            long noPut = w.create(onPrefix().addFilters(WatchCreateRequest.FilterType.NOPUT));
            long noDelete = w.create(onPrefix().addFilters(WatchCreateRequest.FilterType.NODELETE));
            put("a", "1");
            delete("a");
            put("b", "1");
            WatchResponse first = w.nextEvents();
            assertEquals(noDelete, first.getWatchId());
            assertEquals(List.of("PUT " + k("a")), keys(first));
            WatchResponse second = w.nextEvents();
            assertEquals(noPut, second.getWatchId());
            assertEquals(List.of("DELETE " + k("a")), keys(second));
            WatchResponse third = w.nextEvents();
            assertEquals(noDelete, third.getWatchId());
            assertEquals(List.of("PUT " + k("b")), keys(third));
        }
    }

    @Test
    void aStartRevisionReplaysHistoryThenStreamsLive() {
        long r1 = put("a", "1");
        put("b", "1");
        put("a", "2");
        delete("b");
        try (RawWatch w = new RawWatch(channel)) {
            w.create(onPrefix().setStartRevision(r1).setPrevKv(true));
            put("c", "live");
            List<String> seen = new ArrayList<>();
            long expected = r1;
            while (seen.size() < 5) {
                // History may come several revisions to a response; live events one request each.
                for (Event e : w.nextEvents().getEventsList()) {
                    assertEquals(expected++, e.getKv().getModRevision());
                    seen.add(e.getType() + " " + e.getKv().getKey().toStringUtf8() + "=" + e.getKv().getValue().toStringUtf8()
                            + (e.hasPrevKv() ? " prev " + e.getPrevKv().getValue().toStringUtf8() : ""));
                }
            }
            assertEquals(List.of("PUT " + k("a") + "=1", "PUT " + k("b") + "=1", "PUT " + k("a") + "=2 prev 1",
                    "DELETE " + k("b") + "= prev 1", "PUT " + k("c") + "=live"), seen);
        }
    }

    @Test
    void aFutureStartRevisionWaitsForThatRevision() {
        long now = put("a", "0");
        try (RawWatch w = new RawWatch(channel)) {
            w.create(onPrefix().setStartRevision(now + 3));
            put("a", "1");
            put("a", "2");
            put("a", "3");
            WatchResponse r = w.nextEvents();
            assertEquals(now + 3, r.getEvents(0).getKv().getModRevision());
            assertEquals("3", r.getEvents(0).getKv().getValue().toStringUtf8());
        }
    }

    @Test
    void aWatchFromACompactedRevisionIsCreatedThenCanceledWithTheCompactRevision() {
        long r1 = put("a", "1");
        put("a", "2");
        long compactAt = put("a", "3");
        long current = put("b", "1");
        kv.compact(CompactionRequest.newBuilder().setRevision(compactAt).build());
        try (RawWatch w = new RawWatch(channel)) {
            w.send(onPrefix().setStartRevision(r1));
            WatchResponse created = w.next();
            assertTrue(created.getCreated());
            assertEquals(current, created.getHeader().getRevision());
            WatchResponse canceled = w.next();
            assertEquals(created.getWatchId(), canceled.getWatchId());
            assertTrue(canceled.getCanceled());
            assertFalse(canceled.getCreated());
            assertEquals(compactAt, canceled.getCompactRevision());
            assertEquals(0, canceled.getHeader().getRevision()); // etcd 3.4 leaves it out
            assertEquals(0, canceled.getEventsCount());

            // From exactly the compaction revision: the versions kept at it are delivered.
            long id = w.create(onPrefix().setStartRevision(compactAt));
            WatchResponse kept = w.nextEvents();
            assertEquals(id, kept.getWatchId());
            assertEquals(List.of("PUT " + k("a"), "PUT " + k("b")), keys(kept));
            assertEquals(compactAt, kept.getEvents(0).getKv().getModRevision());
            assertEquals(current, kept.getEvents(1).getKv().getModRevision());
        }
    }

    @Test
    void cancelAnswersCanceledAndStopsEvents() {
        try (RawWatch w = new RawWatch(channel)) {
            long a = w.create(on(k("a")));
            long b = w.create(on(k("b")));
            long rev = put("a", "1");
            assertEquals(a, w.nextEvents().getWatchId());
            w.cancel(a);
            WatchResponse canceled = w.next();
            assertEquals(WatchResponse.newBuilder().setHeader(canceled.getHeader()).setWatchId(a).setCanceled(true)
                    .build(), canceled);
            assertEquals(rev, canceled.getHeader().getRevision());
            put("a", "2");
            put("b", "1");
            // Only b's event: a's watcher is gone.
            WatchResponse r = w.nextEvents();
            assertEquals(b, r.getWatchId());
        }
    }

    @Test
    void cancelOfAnUnknownIdAndAnEmptyRequestAreNotAnswered() {
        try (RawWatch w = new RawWatch(channel)) {
            long id = w.create(on(k("a")));
            w.cancel(id + 99);
            w.sendEmpty();
            w.assertNothingBeforeProgressAnswer();
            w.cancel(id);
            assertTrue(w.next().getCanceled());
            w.cancel(id); // a second cancel of the same id: no answer either
            w.assertNothingBeforeProgressAnswer();
        }
    }

    @Test
    void aProgressRequestAnswersTheCurrentRevisionForNoWatcher() {
        try (RawWatch w = new RawWatch(channel)) {
            w.create(on(k("a")));
            long rev = put("other", "1");
            w.progress();
            WatchResponse r = w.next();
            assertEquals(WatchResponse.newBuilder().setHeader(r.getHeader()).setWatchId(-1).build(), r);
            assertEquals(rev, r.getHeader().getRevision());
        }
    }

    @Test
    void aHalfClosedStreamKeepsStreamingToItsWatchers() {
        try (RawWatch w = new RawWatch(channel)) {
            long id = w.create(on(k("a")));
            w.halfClose();
            put("a", "1");
            put("a", "2");
            assertEquals(id, w.nextEvents().getWatchId());
            assertEquals("2", w.nextEvents().getEvents(0).getKv().getValue().toStringUtf8());
        }
    }

    @Test
    void aHalfClosedStreamStaysOpenEvenWithoutWatchers() {
        // etcd 3.4 ends a Watch RPC only when the client cancels it; it neither completes nor fails it.
        try (RawWatch w = new RawWatch(channel)) {
            long id = w.create(on(k("a")));
            w.cancel(id);
            assertTrue(w.next().getCanceled());
            w.halfClose();
            w.assertNothingWithin(1000);
        }
    }

    @Test
    void aClientMayChooseIdsAndADuplicateIsRefusedAsEtcdDoes() {
        try (RawWatch w = new RawWatch(channel)) {
            assertEquals(0, w.create(on(k("a"))));
            assertEquals(1, w.create(withNewerFields(on(k("a")), 1, false)));
            w.send(withNewerFields(on(k("a")), 1, false));
            WatchResponse dup = w.next();
            assertEquals(WatchResponse.newBuilder().setHeader(dup.getHeader()).setWatchId(-1).setCreated(true)
                    .setCanceled(true).setCancelReason("mvcc: duplicate watch ID provided on the WatchStream").build(), dup);
            // Ids the stream picks skip the ones in use.
            assertEquals(2, w.create(on(k("a"))));
            assertEquals(50, w.create(withNewerFields(on(k("a")), 50, false)));
            put("a", "1");
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(w.nextEvents().getWatchId());
            }
            assertEquals(List.of(0L, 1L, 2L, 50L), ids.stream().sorted().toList());
        }
    }

    @Test
    void largeResponsesComeInFragmentsWhenAsked() {
        ManagedChannel big = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
        String value = "x".repeat(600_000);
        long first = put("f0", value);
        for (int i = 1; i < 4; i++) {
            put("f" + i, value);
        }
        try (RawWatch w = new RawWatch(big)) {
            // As etcd 3.4 answers (limit 2 MiB): three events in a fragment, then the fourth.
            w.create(withNewerFields(onPrefix().setStartRevision(first), 0, true));
            WatchResponse part = w.nextEvents();
            assertEquals(3, part.getEventsCount());
            assertTrue(Fragments.isFragment(part));
            WatchResponse last = w.nextEvents();
            assertEquals(1, last.getEventsCount());
            assertFalse(Fragments.isFragment(last));
            assertEquals(first + 3, last.getEvents(0).getKv().getModRevision());

            w.create(onPrefix().setStartRevision(first));
            WatchResponse whole = w.nextEvents();
            assertEquals(4, whole.getEventsCount());
            assertFalse(Fragments.isFragment(whole));
        } finally {
            big.shutdownNow();
        }
    }
}
