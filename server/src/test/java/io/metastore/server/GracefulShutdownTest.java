package io.metastore.server;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.config.ServerConfig;
import io.metastore.server.metrics.Scrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Closing a member (what SIGTERM and SIGINT do) lets a request already in flight finish: a put
 * held in the batching proposer when the close begins is committed and answered, and is there
 * after a restart.
 */
class GracefulShutdownTest {
    @TempDir
    Path dir;

    static ManagedChannel channel(MetaStoreServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    static double putsStarted(MetaStoreServer server) {
        return Scrape.of(server.metrics()).value("grpc_server_started_total",
                "grpc_type", "unary", "grpc_service", "etcdserverpb.KV", "grpc_method", "Put");
    }

    @Test
    void aPutInFlightWhenTheCloseBeginsIsAnsweredAndKept() throws Exception {
        // the batcher holds a lone command for 2 s, waiting for company: the put is in flight
        // inside the server when the close begins
        ServerConfig config = TestServers.singleNode(dir.resolve("m1"), "--storage", "rocksdb",
                "--proposal-strategy", "batched:128:2000000", "--grpc-executor", "pool");
        MetaStoreServer server = TestServers.startAndAwaitLeader(config);
        ManagedChannel channel = channel(server);
        try {
            ListenableFuture<PutResponse> put = KVGrpc.newFutureStub(channel).put(PutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("in-flight")).setValue(ByteString.copyFromUtf8("kept")).build());
            TestServers.await(() -> putsStarted(server) >= 1, "the put reached the server");
            assertFalse(put.isDone());
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            PutResponse answered = put.get(30, TimeUnit.SECONDS);
            assertEquals(2, answered.getHeader().getRevision());
            closing.get(30, TimeUnit.SECONDS);
        } finally {
            channel.shutdownNow();
            server.close();
        }

        try (MetaStoreServer restarted = TestServers.startAndAwaitLeader(config)) {
            ManagedChannel again = channel(restarted);
            try {
                RangeResponse r = KVGrpc.newBlockingStub(again).range(RangeRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("in-flight")).build());
                assertEquals(1, r.getCount());
                assertEquals(ByteString.copyFromUtf8("kept"), r.getKvs(0).getValue());
            } finally {
                again.shutdownNow();
            }
        }
    }
}
