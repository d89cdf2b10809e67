package io.metastore.server.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.metastore.server.MetaStoreServer;
import io.metastore.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd's KV service as etcd 3.4 answers it, through the raw gRPC stubs etcd clients are
 * generated from (so every field, status code and message text is visible). Each test works
 * under its own key prefix on one shared server.
 */
class KvProtocolTest {
    @TempDir
    static Path dir;
    static MetaStoreServer server;
    static ManagedChannel channel;
    static KVGrpc.KVBlockingStub kv;
    static final AtomicInteger PREFIXES = new AtomicInteger();

    String prefix = "t" + PREFIXES.incrementAndGet() + "/";

    @BeforeAll
    static void start() {
        server = TestServers.startAndAwaitLeader(TestServers.singleNode(dir.resolve("m1"), "--storage", "memory"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .maxInboundMessageSize(8 << 20).build();
        kv = KVGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    ByteString key(String k) {
        return ByteString.copyFromUtf8(prefix + k);
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    PutResponse put(String k, String v) {
        return kv.put(PutRequest.newBuilder().setKey(key(k)).setValue(bs(v)).build());
    }

    RangeResponse get(String k) {
        return kv.range(RangeRequest.newBuilder().setKey(key(k)).build());
    }

    static void assertEtcdError(Status.Code code, String message, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertEquals(message, e.getStatus().getDescription());
    }

    @Test
    void putAndRangeAnswerWithEtcdHeaderAndKeyValue() {
        PutResponse p = put("a", "1");
        ResponseHeader h = p.getHeader();
        assertNotEquals(0, h.getClusterId());
        assertNotEquals(0, h.getMemberId());
        assertTrue(h.getRaftTerm() >= 1);
        RangeResponse r = get("a");
        assertEquals(h.getRevision(), r.getHeader().getRevision());
        assertEquals(h.getClusterId(), r.getHeader().getClusterId());
        assertEquals(1, r.getCount());
        assertEquals(bs("1"), r.getKvs(0).getValue());
        assertEquals(h.getRevision(), r.getKvs(0).getCreateRevision());
        assertEquals(h.getRevision(), r.getKvs(0).getModRevision());
        assertEquals(1, r.getKvs(0).getVersion());
        PutResponse p2 = put("a", "2");
        assertEquals(h.getRevision() + 1, p2.getHeader().getRevision());
        RangeResponse r2 = get("a");
        assertEquals(2, r2.getKvs(0).getVersion());
        assertEquals(h.getRevision(), r2.getKvs(0).getCreateRevision());
    }

    @Test
    void putWithPrevKvAnswersThePreviousValueAndNothingForANewKey() {
        PutResponse first = kv.put(PutRequest.newBuilder().setKey(key("k")).setValue(bs("v1")).setPrevKv(true).build());
        assertFalse(first.hasPrevKv());
        PutResponse second = kv.put(PutRequest.newBuilder().setKey(key("k")).setValue(bs("v2")).setPrevKv(true).build());
        assertEquals(bs("v1"), second.getPrevKv().getValue());
        assertEquals(key("k"), second.getPrevKv().getKey());
    }

    @Test
    void binaryKeysAndValuesRoundTrip() {
        ByteString k = ByteString.copyFrom(new byte[] {0, (byte) 0xff, (byte) 0xc3, 0x28});
        ByteString v = ByteString.copyFrom(new byte[] {(byte) 0xff, 0, (byte) 0xfe});
        kv.put(PutRequest.newBuilder().setKey(k).setValue(v).build());
        RangeResponse r = kv.range(RangeRequest.newBuilder().setKey(k).build());
        assertEquals(v, r.getKvs(0).getValue());
    }

    @Test
    void ignoreValueKeepsTheValueAndNeedsAnExistingKey() {
        put("iv", "keep");
        kv.put(PutRequest.newBuilder().setKey(key("iv")).setIgnoreValue(true).build());
        RangeResponse r = get("iv");
        assertEquals(bs("keep"), r.getKvs(0).getValue());
        assertEquals(2, r.getKvs(0).getVersion());
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found",
                () -> kv.put(PutRequest.newBuilder().setKey(key("missing")).setIgnoreValue(true).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: value is provided",
                () -> kv.put(PutRequest.newBuilder().setKey(key("iv")).setValue(bs("x")).setIgnoreValue(true).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: lease is provided",
                () -> kv.put(PutRequest.newBuilder().setKey(key("iv")).setLease(5).setIgnoreLease(true).build()));
        assertEquals(bs("keep"), get("iv").getKvs(0).getValue());
        // as etcd 3.4.23 answers: inside a txn too, and for an operation that names no request at all
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found", () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("missing")).setIgnoreValue(true)))
                .build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: key not found",
                () -> kv.txn(TxnRequest.newBuilder().addSuccess(RequestOp.getDefaultInstance()).build()));
    }

    @Test
    void putWithUnknownLeaseFailsAndChangesNothing() {
        long before = get("x").getHeader().getRevision();
        assertEtcdError(Status.Code.NOT_FOUND, "etcdserver: requested lease not found",
                () -> kv.put(PutRequest.newBuilder().setKey(key("l")).setValue(bs("v")).setLease(0x1234).build()));
        assertEtcdError(Status.Code.NOT_FOUND, "etcdserver: requested lease not found", () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("l")).setValue(bs("v")).setLease(0x1234)))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("other")).setValue(bs("v"))))
                .build()));
        RangeResponse after = get("l");
        assertEquals(0, after.getCount());
        assertEquals(0, get("other").getCount(), "nothing of the refused txn was written");
        assertEquals(before, after.getHeader().getRevision());
        // as in etcd, only the branch that runs needs its leases
        assertTrue(kv.txn(TxnRequest.newBuilder()
                .addFailure(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("l")).setValue(bs("v")).setLease(0x1234)))
                .build()).getSucceeded());
    }

    @Test
    void emptyKeyIsRefusedOnEveryRequest() {
        String msg = "etcdserver: key is not provided";
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg,
                () -> kv.put(PutRequest.newBuilder().setValue(bs("v")).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.range(RangeRequest.newBuilder().build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.deleteRange(DeleteRangeRequest.newBuilder().build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setValue(bs("v")))).build()));
        // as etcd 3.4.23 answers: a range end without a key, a compare, a branch not taken, a nested txn
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.range(RangeRequest.newBuilder().setRangeEnd(bs("z")).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setTarget(Compare.CompareTarget.VERSION).setResult(Compare.CompareResult.EQUAL))
                .build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addFailure(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setValue(bs("v")))).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder())).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder())).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(nested(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                        .setRequestPut(PutRequest.newBuilder().setValue(bs("v"))))))
                .build()));
    }

    @Test
    void rangeHonoursPrefixLimitSortKeysOnlyAndCountOnly() {
        for (String k : List.of("c", "a", "b", "d")) {
            put("r/" + k, "value-" + k);
        }
        ByteString from = key("r/");
        ByteString end = key("r0"); // '/' + 1
        RangeResponse all = kv.range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end).build());
        assertEquals(4, all.getCount());
        assertEquals(List.of(key("r/a"), key("r/b"), key("r/c"), key("r/d")),
                all.getKvsList().stream().map(io.etcd.jetcd.api.KeyValue::getKey).toList());
        RangeResponse limited = kv.range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setLimit(2)
                .setSortOrder(RangeRequest.SortOrder.DESCEND).build());
        assertEquals(4, limited.getCount());
        assertTrue(limited.getMore());
        assertEquals(List.of(key("r/d"), key("r/c")),
                limited.getKvsList().stream().map(io.etcd.jetcd.api.KeyValue::getKey).toList());
        RangeResponse keysOnly = kv.range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setKeysOnly(true).build());
        assertTrue(keysOnly.getKvs(0).getValue().isEmpty());
        RangeResponse countOnly = kv.range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setCountOnly(true).build());
        assertEquals(4, countOnly.getCount());
        assertEquals(0, countOnly.getKvsCount());
        RangeResponse serializable = kv.range(RangeRequest.newBuilder().setKey(from).setRangeEnd(end)
                .setSerializable(true).build());
        assertEquals(4, serializable.getCount());
    }

    @Test
    void rangeAtAPastRevisionSeesThatRevision() {
        long rev = put("h", "old").getHeader().getRevision();
        put("h", "new");
        RangeResponse past = kv.range(RangeRequest.newBuilder().setKey(key("h")).setRevision(rev).build());
        assertEquals(bs("old"), past.getKvs(0).getValue());
        assertEtcdError(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision",
                () -> kv.range(RangeRequest.newBuilder().setKey(key("h")).setRevision(rev + 1_000_000).build()));
    }

    @Test
    void deleteRangeCountsAndReturnsPreviousKeyValues() {
        put("d/1", "a");
        put("d/2", "b");
        put("e", "c");
        DeleteRangeResponse d = kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(key("d/"))
                .setRangeEnd(key("d0")).setPrevKv(true).build());
        assertEquals(2, d.getDeleted());
        assertEquals(List.of(bs("a"), bs("b")), d.getPrevKvsList().stream().map(io.etcd.jetcd.api.KeyValue::getValue).toList());
        assertEquals(0, get("d/1").getCount());
        assertEquals(1, get("e").getCount());
        DeleteRangeResponse none = kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(key("d/1")).build());
        assertEquals(0, none.getDeleted());
        assertEquals(d.getHeader().getRevision(), none.getHeader().getRevision());
    }

    @Test
    void txnComparesEveryTargetAndTakesTheRightBranch() {
        PutResponse p = put("c", "v");
        long rev = p.getHeader().getRevision();
        List<Compare> holding = List.of(
                Compare.newBuilder().setKey(key("c")).setTarget(Compare.CompareTarget.VALUE)
                        .setResult(Compare.CompareResult.EQUAL).setValue(bs("v")).build(),
                Compare.newBuilder().setKey(key("c")).setTarget(Compare.CompareTarget.VERSION)
                        .setResult(Compare.CompareResult.EQUAL).setVersion(1).build(),
                Compare.newBuilder().setKey(key("c")).setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(rev).build(),
                Compare.newBuilder().setKey(key("c")).setTarget(Compare.CompareTarget.MOD)
                        .setResult(Compare.CompareResult.LESS).setModRevision(rev + 1).build(),
                Compare.newBuilder().setKey(key("c")).setTarget(Compare.CompareTarget.VALUE)
                        .setResult(Compare.CompareResult.GREATER).setValue(bs("u")).build(),
                Compare.newBuilder().setKey(key("c")).setTarget(Compare.CompareTarget.VERSION)
                        .setResult(Compare.CompareResult.NOT_EQUAL).setVersion(7).build(),
                leaseCompare(key("c"), Compare.CompareResult.EQUAL, 0));
        for (Compare c : holding) {
            TxnResponse t = kv.txn(TxnRequest.newBuilder().addCompare(c)
                    .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key("c")))).build());
            assertTrue(t.getSucceeded(), c.toString());
            assertEquals(rev, t.getHeader().getRevision(), "a txn that only reads moves no revision");
        }
        TxnResponse failed = kv.txn(TxnRequest.newBuilder()
                .addCompare(leaseCompare(key("c"), Compare.CompareResult.EQUAL, 99))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("c")).setValue(bs("s"))))
                .addFailure(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("c")).setValue(bs("f"))))
                .build());
        assertFalse(failed.getSucceeded());
        assertEquals(rev + 1, failed.getHeader().getRevision());
        assertEquals(bs("f"), get("c").getKvs(0).getValue());
    }

    @Test
    void valueCompareOnAMissingKeyFails() {
        TxnResponse t = kv.txn(TxnRequest.newBuilder().addCompare(Compare.newBuilder().setKey(key("nope"))
                .setTarget(Compare.CompareTarget.VALUE).setResult(Compare.CompareResult.EQUAL).setValue(ByteString.EMPTY)).build());
        assertFalse(t.getSucceeded());
        TxnResponse v = kv.txn(TxnRequest.newBuilder().addCompare(Compare.newBuilder().setKey(key("nope"))
                .setTarget(Compare.CompareTarget.VERSION).setResult(Compare.CompareResult.EQUAL).setVersion(0)).build());
        assertTrue(v.getSucceeded());
    }

    /** The stub predates etcd's LEASE target (4) and its {@code lease} field (8): send both as unknown values. */
    static Compare leaseCompare(ByteString key, Compare.CompareResult result, long lease) {
        return Compare.newBuilder().setKey(key).setResult(result).setTargetValue(4)
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(8,
                        UnknownFieldSet.Field.newBuilder().addVarint(lease).build()).build())
                .build();
    }

    @Test
    void txnOperationsShareOneRevisionAndRangesSeeEarlierWrites() {
        TxnResponse t = kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("x")).setValue(bs("1"))))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("y")).setValue(bs("2"))))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key("x"))))
                .build());
        assertTrue(t.getSucceeded());
        long rev = t.getHeader().getRevision();
        assertEquals(rev, t.getResponses(0).getResponsePut().getHeader().getRevision());
        assertEquals(bs("1"), t.getResponses(2).getResponseRange().getKvs(0).getValue());
        assertEquals(rev, get("x").getKvs(0).getModRevision());
        assertEquals(rev, get("y").getKvs(0).getModRevision());
    }

    @Test
    void nestedTxnsEvaluateTheirComparesBeforeAnyWriteAndAnswerWithAnEmptyHeader() {
        put("n", "0");
        Compare nIsZero = Compare.newBuilder().setKey(key("n")).setTarget(Compare.CompareTarget.VALUE)
                .setResult(Compare.CompareResult.EQUAL).setValue(bs("0")).build();
        TxnRequest inner = TxnRequest.newBuilder().addCompare(nIsZero)
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("inner")).setValue(bs("ok"))))
                .build();
        TxnResponse t = kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("n")).setValue(bs("1"))))
                .addSuccess(RequestOp.newBuilder().setRequestTxn(inner))
                .build());
        TxnResponse nested = t.getResponses(1).getResponseTxn();
        assertTrue(nested.getSucceeded(), "the inner compare saw the state before the outer put");
        assertTrue(nested.hasHeader());
        assertEquals(ResponseHeader.getDefaultInstance(), nested.getHeader());
        assertEquals(bs("ok"), get("inner").getKvs(0).getValue());
    }

    @Test
    void aKeyPutTwiceOrPutAndDeletedInOneTxnIsRefused() {
        String msg = "etcdserver: duplicate key given in txn request";
        RequestOp putK = RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("dup")).setValue(bs("v"))).build();
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg,
                () -> kv.txn(TxnRequest.newBuilder().addSuccess(putK).addSuccess(putK).build()));
        RequestOp delAll = RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                .setKey(key("d")).setRangeEnd(key("e"))).build();
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg,
                () -> kv.txn(TxnRequest.newBuilder().addSuccess(putK).addSuccess(delAll).build()));
        assertEquals(0, get("dup").getCount());
        // the two branches of one txn are exclusive, so the same key may appear in both
        TxnResponse ok = kv.txn(TxnRequest.newBuilder().addSuccess(putK).addFailure(putK).build());
        assertTrue(ok.getSucceeded());
    }

    @Test
    void duplicateKeysAreFoundInNestedTxnsButNotBetweenDeletesOrExclusiveBranches() {
        // as etcd 3.4.23 answers each of these
        String msg = "etcdserver: duplicate key given in txn request";
        RequestOp putA = RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("a")).setValue(bs("v"))).build();
        RequestOp delAtoB = RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                .setKey(key("a")).setRangeEnd(key("b"))).build();
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(putA).addSuccess(nested(TxnRequest.newBuilder().addSuccess(putA))).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(putA).addSuccess(nested(TxnRequest.newBuilder().addFailure(putA))).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(nested(TxnRequest.newBuilder().addSuccess(putA)))
                .addSuccess(nested(TxnRequest.newBuilder().addSuccess(putA))).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(putA).addSuccess(nested(TxnRequest.newBuilder().addSuccess(delAtoB))).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(delAtoB).addSuccess(nested(TxnRequest.newBuilder().addSuccess(putA))).build()));
        assertEquals(0, get("a").getCount());

        RequestOp delAtoC = RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                .setKey(key("a")).setRangeEnd(key("c"))).build();
        assertTrue(kv.txn(TxnRequest.newBuilder().addSuccess(delAtoB).addSuccess(delAtoC).build()).getSucceeded(),
                "deletes may overlap");
        assertTrue(kv.txn(TxnRequest.newBuilder()
                .addSuccess(nested(TxnRequest.newBuilder().addSuccess(putA).addFailure(putA))).build()).getSucceeded(),
                "one nested txn's two branches are exclusive");
        assertEquals(1, get("a").getCount());
    }

    static RequestOp nested(TxnRequest.Builder txn) {
        return RequestOp.newBuilder().setRequestTxn(txn).build();
    }

    @Test
    void aTxnWithMoreThan128OperationsIsRefused() {
        TxnRequest.Builder b = TxnRequest.newBuilder();
        for (int i = 0; i < 129; i++) {
            b.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("m" + i)).setValue(bs("v"))));
        }
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: too many operations in txn request", () -> kv.txn(b.build()));
        b.removeSuccess(128);
        assertTrue(kv.txn(b.build()).getSucceeded());
    }

    @Test
    void theOperationLimitHoldsForComparesTheFailureBranchAndNestedTxnsAndComesBeforeTheDuplicateCheck() {
        // as etcd 3.4.23 answers: each list of each (nested) txn may hold at most 128 entries
        String msg = "etcdserver: too many operations in txn request";
        TxnRequest.Builder compares = TxnRequest.newBuilder();
        TxnRequest.Builder failures = TxnRequest.newBuilder();
        TxnRequest.Builder inner = TxnRequest.newBuilder();
        TxnRequest.Builder sameKey = TxnRequest.newBuilder();
        for (int i = 0; i < 129; i++) {
            compares.addCompare(Compare.newBuilder().setKey(key("m" + i)).setTarget(Compare.CompareTarget.VERSION)
                    .setResult(Compare.CompareResult.GREATER).setVersion(-1));
            failures.addFailure(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("f" + i)).setValue(bs("v"))));
            inner.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("n" + i)).setValue(bs("v"))));
            sameKey.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("same")).setValue(bs("v"))));
        }
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(compares.build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(failures.build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(TxnRequest.newBuilder().addSuccess(nested(inner)).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, msg, () -> kv.txn(sameKey.build()));
        compares.removeCompare(128);
        assertTrue(kv.txn(compares.build()).getSucceeded());
        failures.removeFailure(128);
        assertTrue(kv.txn(failures.build()).getSucceeded());
        assertEquals(0, get("f0").getCount(), "the failure branch did not run");
    }

    @Test
    void requestsOverTheSizeLimitAreRefused() {
        ByteString big = ByteString.copyFrom(new byte[1_600_000]);
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: request is too large",
                () -> kv.put(PutRequest.newBuilder().setKey(key("big")).setValue(big).build()));
        ByteString huge = ByteString.copyFrom(new byte[2_200_000]);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> kv.put(PutRequest.newBuilder().setKey(key("big")).setValue(huge).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        // the limit is on the whole request: a value of exactly 1.5 MiB is already too large
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: request is too large",
                () -> kv.put(PutRequest.newBuilder().setKey(key("big")).setValue(ByteString.copyFrom(new byte[1572864])).build()));
        assertEtcdError(Status.Code.INVALID_ARGUMENT, "etcdserver: request is too large", () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("big")).setValue(big))).build()));
        // reads never go through Raft, so etcd does not limit them
        assertEquals(0, kv.range(RangeRequest.newBuilder().setKey(big).build()).getCount());
        ByteString ok = ByteString.copyFrom(new byte[1 << 20]);
        kv.put(PutRequest.newBuilder().setKey(key("big")).setValue(ok).build());
        assertArrayEquals(ok.toByteArray(), get("big").getKvs(0).getValue().toByteArray());
    }

    @Test
    void compactionDropsHistoryAndRefusesOldRevisions() {
        long r1 = put("cp", "1").getHeader().getRevision();
        long r2 = put("cp", "2").getHeader().getRevision();
        kv.compact(CompactionRequest.newBuilder().setRevision(r2).setPhysical(true).build());
        String compacted = "etcdserver: mvcc: required revision has been compacted";
        assertEtcdError(Status.Code.OUT_OF_RANGE, compacted,
                () -> kv.range(RangeRequest.newBuilder().setKey(key("cp")).setRevision(r1).build()));
        assertEquals(bs("2"), kv.range(RangeRequest.newBuilder().setKey(key("cp")).setRevision(r2).build()).getKvs(0).getValue());
        assertEtcdError(Status.Code.OUT_OF_RANGE, compacted,
                () -> kv.compact(CompactionRequest.newBuilder().setRevision(r2).build()));
        assertEtcdError(Status.Code.OUT_OF_RANGE, compacted,
                () -> kv.compact(CompactionRequest.newBuilder().setRevision(r1).build()));
        assertEtcdError(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision",
                () -> kv.compact(CompactionRequest.newBuilder().setRevision(r2 + 1_000_000).build()));
        assertEtcdError(Status.Code.OUT_OF_RANGE, compacted, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key("cp")).setRevision(r1)))
                .build()));
        // as etcd 3.4.23 answers: below the compacted revision is compacted, even 0 and -1; a
        // serializable read is no exception; a txn that also writes fails as a whole
        assertEtcdError(Status.Code.OUT_OF_RANGE, compacted, () -> kv.compact(CompactionRequest.newBuilder().setRevision(0).build()));
        assertEtcdError(Status.Code.OUT_OF_RANGE, compacted, () -> kv.compact(CompactionRequest.newBuilder().setRevision(-1).build()));
        assertEtcdError(Status.Code.OUT_OF_RANGE, compacted, () -> kv.range(RangeRequest.newBuilder().setKey(key("cp"))
                .setRevision(r1).setSerializable(true).build()));
        assertEtcdError(Status.Code.OUT_OF_RANGE, compacted, () -> kv.txn(TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key("cpw")).setValue(bs("v"))))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key("cp")).setRevision(r1)))
                .build()));
        assertEquals(0, get("cpw").getCount());
        long now = get("cp").getHeader().getRevision();
        assertEtcdError(Status.Code.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision",
                () -> kv.txn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                        .setRequestRange(RangeRequest.newBuilder().setKey(key("cp")).setRevision(now + 1))).build()));
    }

    @Test
    void healthServiceAnswersServing() {
        HealthCheckResponse h = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());
    }

    @Test
    void utf8KeysAreReturnedAsSent() {
        String k = "ключ-🔑";
        put(k, "v");
        assertEquals(prefix + k, get(k).getKvs(0).getKey().toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownEnumValuesAnswerAsEtcdDoes() {
        put("u", "v");
        // etcd's compareKV: an unknown result holds; an unknown target compares 0 with 0
        TxnResponse unknownResult = kv.txn(TxnRequest.newBuilder().addCompare(Compare.newBuilder().setKey(key("u"))
                .setTarget(Compare.CompareTarget.VERSION).setResultValue(99).setVersion(5)).build());
        assertTrue(unknownResult.getSucceeded());
        TxnResponse unknownTargetEqual = kv.txn(TxnRequest.newBuilder().addCompare(Compare.newBuilder().setKey(key("u"))
                .setTargetValue(42).setResult(Compare.CompareResult.EQUAL)).build());
        assertTrue(unknownTargetEqual.getSucceeded());
        TxnResponse unknownTargetGreater = kv.txn(TxnRequest.newBuilder().addCompare(Compare.newBuilder().setKey(key("u"))
                .setTargetValue(42).setResult(Compare.CompareResult.GREATER)).build());
        assertFalse(unknownTargetGreater.getSucceeded());
        RangeResponse r = kv.range(RangeRequest.newBuilder().setKey(key("u")).setSortOrderValue(7).setSortTargetValue(9).build());
        assertEquals(1, r.getCount());
    }
}
