package io.metastore.server;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.metastore.server.config.ServerConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every codec, proposal strategy, engine and tier end to end through jetcd: concurrent writes,
 * a txn, a delete, then a restart — with another codec, so the new process reads the log the
 * old one wrote — that finds the same revision and data.
 */
class EndToEndMatrixTest {
    @TempDir
    Path dir;

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} {5} then {4}")
    @CsvSource({
            "tier3, json,     unbuffered,       memory,  kryo,     direct",
            "tier3, kryo,     buffered:16,      memory,  protobuf, leader",
            "tier3, protobuf, batched:32:500,   rocksdb, json,     direct",
            "tier3, json,     batched:8:100,    rocksdb, protobuf, pool",
            "baseline, json,  unbuffered,       memory,  json,     pool",
            "tier1, json,     unbuffered,       rocksdb, kryo,     pool",
            "tier2, protobuf, buffered:1000,    memory,  protobuf, pool",
    })
    void writesSurviveARestartWithAnotherCodec(String tier, String codec, String strategy, String storage,
                                               String codecAfterRestart, String executor) throws Exception {
        Path data = dir.resolve("m1");
        ServerConfig config = TestServers.singleNode(data, "--tier", tier, "--codec", codec,
                "--proposal-strategy", strategy, "--storage", storage, "--grpc-executor", executor);
        long revision;
        List<String> keysBefore;
        try (MetaStoreServer server = TestServers.startAndAwaitLeader(config);
             Client client = TestServers.client(server.grpcPort())) {
            KV kv = client.getKVClient();
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                puts.add(kv.put(bs("k/" + i), bs("v" + i), PutOption.builder().withPrevKV().build()));
            }
            CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            TxnResponse txn = kv.txn()
                    .If(new Cmp(bs("k/1"), Cmp.Op.EQUAL, CmpTarget.value(bs("v1"))))
                    .Then(Op.put(bs("k/1"), bs("changed"), PutOption.DEFAULT),
                            Op.delete(bs("k/2"), DeleteOption.DEFAULT))
                    .Else(Op.put(bs("wrong"), bs("branch"), PutOption.DEFAULT))
                    .commit().get(10, TimeUnit.SECONDS);
            assertTrue(txn.isSucceeded());
            assertEquals(1, kv.delete(bs("k/3")).get(10, TimeUnit.SECONDS).getDeleted());
            GetResponse all = kv.get(bs("k/"), GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
            assertEquals(198, all.getCount());
            revision = all.getHeader().getRevision();
            assertEquals(1 + 200 + 1 + 1, revision, "one revision per put, txn and delete after the initial 1");
            keysBefore = keys(all);
        }
        ServerConfig restarted = TestServers.singleNode(data, "--tier", tier, "--codec", codecAfterRestart,
                "--proposal-strategy", strategy, "--storage", storage, "--grpc-executor", executor,
                "--cluster", config.peers().get(0));
        try (MetaStoreServer server = TestServers.startAndAwaitLeader(restarted);
             Client client = TestServers.client(server.grpcPort())) {
            KV kv = client.getKVClient();
            GetResponse all = kv.get(bs("k/"), GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
            assertEquals(revision, all.getHeader().getRevision());
            assertEquals(keysBefore, keys(all));
            assertEquals("changed", kv.get(bs("k/1")).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue()
                    .toString(StandardCharsets.UTF_8));
            assertEquals(revision + 1, kv.put(bs("after"), bs("restart")).get(10, TimeUnit.SECONDS)
                    .getHeader().getRevision());
        }
    }

    private static List<String> keys(GetResponse r) {
        return r.getKvs().stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8) + "="
                + kv.getValue().toString(StandardCharsets.UTF_8) + "@" + kv.getModRevision()).toList();
    }
}
