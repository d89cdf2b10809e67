package io.metastore.reliability;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.TxnRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** What the fuzz found in the server, one reproduction each; disabled until the server is fixed. */
class ServerFindingsTest {
    @TempDir
    Path dir;

    /**
     * A Compare with an unknown result or target (a newer client, or a corrupt request) reaches
     * ProtoCommands' enum lookup, whose IllegalArgumentException is not in the error table, so
     * the client sees INTERNAL "unknown enum value 99 for Result": a server-fault code and a
     * message etcd never sends. A bad request should be answered as one (or evaluated as etcd
     * does), never as INTERNAL.
     */
    @Test
    void anUnknownCompareResultIsNotAnInternalError() {
        int grpc = ProcessCluster.freePort();
        List<String> args = List.of("--member-id", "1", "--cluster", "127.0.0.1:" + ProcessCluster.freePort(),
                "--grpc-addr", "127.0.0.1:" + grpc, "--port", "0", "--data-dir", dir.resolve("data").toString());
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext().build();
        try (ServerProcess server = new ServerProcess(ServerProcess.serverJar(), args, dir.resolve("data"),
                dir.resolve("member.log"), grpc)) {
            server.start();
            CrashConsistency.awaitServing(channel);
            TxnRequest txn = TxnRequest.newBuilder().addCompare(Compare.newBuilder()
                    .setKey(ByteString.copyFromUtf8("k")).setResultValue(99).setTarget(Compare.CompareTarget.VALUE)
                    .setValue(ByteString.copyFromUtf8("v"))).build();
            try {
                KVGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).txn(txn);
            } catch (StatusRuntimeException e) {
                assertNotEquals(Status.Code.INTERNAL, e.getStatus().getCode(), e.getStatus().toString());
            }
        } finally {
            channel.shutdownNow();
        }
    }
}
