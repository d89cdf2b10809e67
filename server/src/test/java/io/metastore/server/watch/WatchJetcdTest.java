package io.metastore.server.watch;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Watch through jetcd, the way Java applications use it, against one member. */
class WatchJetcdTest {
    @TempDir
    static Path dir;
    static MetaStoreServer server;
    static Client client;
    static KV kv;
    static Watch watch;
    static final AtomicInteger PREFIXES = new AtomicInteger();

    final String prefix = "j" + PREFIXES.incrementAndGet() + "/";

    @BeforeAll
    static void start() {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--storage", "memory"));
        client = TestServers.client(server.grpcPort());
        kv = client.getKVClient();
        watch = client.getWatchClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    ByteSequence k(String key) {
        return bs(prefix + key);
    }

    long put(String key, String value) throws Exception {
        return kv.put(k(key), bs(value)).get(20, TimeUnit.SECONDS).getHeader().getRevision();
    }

    long delete(String key) throws Exception {
        return kv.delete(k(key)).get(20, TimeUnit.SECONDS).getHeader().getRevision();
    }

    /** What a jetcd listener received, in order. */
    static final class Received implements Watch.Listener {
        final BlockingQueue<Object> items = new LinkedBlockingQueue<>();

        @Override
        public void onNext(WatchResponse r) {
            items.add(r);
        }

        @Override
        public void onError(Throwable t) {
            items.add(t);
        }

        @Override
        public void onCompleted() {
            items.add("completed");
        }

        Object next() throws InterruptedException {
            Object o = items.poll(RawWatch.WAIT_SECONDS, TimeUnit.SECONDS);
            if (o == null) {
                fail("nothing received within " + RawWatch.WAIT_SECONDS + " s");
            }
            return o;
        }

        /** The next events, skipping progress notifications; "TYPE key=value[ prev value]". */
        List<String> nextEvents(int n) throws InterruptedException {
            List<String> out = new ArrayList<>();
            while (out.size() < n) {
                Object o = next();
                if (!(o instanceof WatchResponse r)) {
                    return fail("expected events, got " + o);
                }
                for (WatchEvent e : r.getEvents()) {
                    out.add(e.getEventType() + " " + e.getKeyValue().getKey().toString(StandardCharsets.UTF_8) + "="
                            + e.getKeyValue().getValue().toString(StandardCharsets.UTF_8)
                            + (e.getPrevKV() != null && e.getPrevKV().getKey().size() > 0
                                ? " prev " + e.getPrevKV().getValue().toString(StandardCharsets.UTF_8) : ""));
                }
            }
            return out;
        }
    }

    WatchOption.Builder prefixOption() {
        return WatchOption.builder().isPrefix(true);
    }

    @Test
    void aPrefixWatcherWithPrevKvSeesPutsAndDeletes() throws Exception {
        Received got = new Received();
        try (Watch.Watcher w = watch.watch(bs(prefix), prefixOption().withPrevKV(true).withCreateNotify(true).build(), got)) {
            assertTrue(((WatchResponse) got.next()).isCreatedNotify());
            put("a", "1");
            put("a", "2");
            delete("a");
            assertEquals(List.of("PUT " + prefix + "a=1", "PUT " + prefix + "a=2 prev 1", "DELETE " + prefix + "a= prev 2"),
                    got.nextEvents(3));
        }
    }

    @Test
    void noPutAndNoDeleteFilterEvents() throws Exception {
        Received deletes = new Received();
        Received puts = new Received();
        try (Watch.Watcher a = watch.watch(bs(prefix), prefixOption().withNoPut(true).withCreateNotify(true).build(), deletes);
             Watch.Watcher b = watch.watch(bs(prefix), prefixOption().withNoDelete(true).withCreateNotify(true).build(), puts)) {
            deletes.next();
            puts.next();
            put("a", "1");
            delete("a");
            put("b", "2");
            delete("b");
            assertEquals(List.of("DELETE " + prefix + "a=", "DELETE " + prefix + "b="), deletes.nextEvents(2));
            assertEquals(List.of("PUT " + prefix + "a=1", "PUT " + prefix + "b=2"), puts.nextEvents(2));
        }
    }

    @Test
    void aRevisionReplaysHistory() throws Exception {
        long first = put("a", "1");
        put("b", "2");
        put("a", "3");
        Received got = new Received();
        try (Watch.Watcher w = watch.watch(bs(prefix), prefixOption().withRevision(first).build(), got)) {
            assertEquals(List.of("PUT " + prefix + "a=1", "PUT " + prefix + "b=2", "PUT " + prefix + "a=3"), got.nextEvents(3));
            put("c", "4");
            assertEquals(List.of("PUT " + prefix + "c=4"), got.nextEvents(1));
        }
    }

    @Test
    void aCompactedRevisionEndsTheWatcherWithCompactedException() throws Exception {
        long first = put("a", "1");
        long compactAt = put("a", "2");
        kv.compact(compactAt).get(20, TimeUnit.SECONDS);
        Received got = new Received();
        try (Watch.Watcher w = watch.watch(bs(prefix), prefixOption().withRevision(first).build(), got)) {
            Object o = got.next();
            CompactedException e = assertInstanceOf(CompactedException.class, o);
            assertEquals(compactAt, e.getCompactedRevision());
        }
    }

    @Test
    void closingAWatcherCancelsIt() throws Exception {
        Received got = new Received();
        Watch.Watcher w = watch.watch(k("a"), WatchOption.builder().withCreateNotify(true).build(), got);
        got.next();
        put("a", "1");
        assertEquals(List.of("PUT " + prefix + "a=1"), got.nextEvents(1));
        w.close();
        assertEquals("completed", got.next());
        // A new watcher on the key sees the next write; the closed one does not.
        Received again = new Received();
        try (Watch.Watcher w2 = watch.watch(k("a"), WatchOption.builder().withCreateNotify(true).build(), again)) {
            again.next();
            put("a", "2");
            assertEquals(List.of("PUT " + prefix + "a=2"), again.nextEvents(1));
        }
        // jetcd reports completion again when the server ends the stream, which it does once the
        // stream's last watcher is gone and the client has closed its side; no events, though.
        assertTrue(got.items.stream().allMatch("completed"::equals), () -> "closed watcher received " + got.items);
    }

    @Test
    void requestProgressAnswersTheCurrentRevision() throws Exception {
        Received got = new Received();
        try (Watch.Watcher w = watch.watch(k("a"), WatchOption.builder().withCreateNotify(true).build(), got)) {
            got.next();
            long rev = put("elsewhere", "1");
            watch.requestProgress();
            WatchResponse r = (WatchResponse) got.next();
            assertTrue(r.isProgressNotify());
            assertNotNull(r.getHeader());
            assertEquals(rev, r.getHeader().getRevision());
        }
    }
}
