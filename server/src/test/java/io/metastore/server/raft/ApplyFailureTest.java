package io.metastore.server.raft;

import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.core.State;
import com.alipay.sofa.jraft.entity.Task;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A committed entry that cannot be applied stops the node through jraft's error path; it is
 * never logged and skipped, so nothing after it is applied either.
 */
class ApplyFailureTest {
    @TempDir
    Path dir;

    @Test
    void anEntryThatFailsToApplyStopsTheNodeAndNothingAfterItApplies() {
        try (MetaStoreServer server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"),
                "--storage", "memory"))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
            try {
                KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
                kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v")).build());
                long applied = server.store().appliedIndex();
                long revision = server.store().currentRevision();

                // an entry no codec wrote: the leader has no command for it in a closure, so it decodes
                server.raft().node().apply(new Task(ByteBuffer.wrap(new byte[] {0x7f, 0x7f, 0x7f, 0x7f, 1, 2, 3}), null));
                NodeImpl node = (NodeImpl) server.raft().node();
                TestServers.await(() -> node.getNodeState() == State.STATE_ERROR, "the node stopped on the entry");

                assertThrows(StatusRuntimeException.class, () -> kv.withDeadlineAfter(2, TimeUnit.SECONDS)
                        .put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("after")).setValue(ByteString.copyFromUtf8("v")).build()));
                assertEquals(applied, server.store().appliedIndex(), "the bad entry was not skipped");
                assertEquals(revision, server.store().currentRevision());
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
