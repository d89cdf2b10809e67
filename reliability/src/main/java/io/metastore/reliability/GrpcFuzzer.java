package io.metastore.reliability;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends mutated KV requests to one member: random fields, huge and negative numbers, empty and
 * huge keys, inverted ranges, unknown enum values, nested and oversized transactions, and raw
 * bytes that are not a valid message at all. Checks that the process never dies, every call ends
 * with a status before its deadline, and a refused request leaves the revision where it was.
 */
public final class GrpcFuzzer {
    private static final long DEADLINE_SECONDS = 15;

    public record Report(long requests, Map<String, Long> statusCodes, long hangs, long refusedThatChangedRevision,
                         boolean aliveAtEnd, List<String> problems, List<String> notes) {
        public boolean passed() {
            return problems.isEmpty();
        }
    }

    private final Random random;
    private final ManagedChannel channel;
    private long revision;
    /** While generating a transaction of more than a few operations: keep its keys and values small. */
    private int bulk;

    private GrpcFuzzer(Random random, ManagedChannel channel) {
        this.random = random;
        this.channel = channel;
    }

    public static Report run(long millis, Path dir, long seed) {
        ServerProcess server = ServerProcess.single(dir, ServerProcess.DEFAULT_JVM);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        try (server) {
            server.start();
            CrashConsistency.awaitServing(channel);
            return new GrpcFuzzer(new Random(seed), channel).fuzz(millis, server);
        } finally {
            channel.shutdownNow();
        }
    }

    private Report fuzz(long millis, ServerProcess server) {
        Map<String, Long> codes = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long hangs = 0;
        long changed = 0;
        long n = 0;
        for (int i = 0; i < 5; i++) {
            kv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("fuzz/" + i)).setValue(ByteString.copyFromUtf8("v")).build());
        }
        revision = currentRevision();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end && server.isAlive()) {
            n++;
            Call call = nextCall();
            Status.Code code;
            try {
                call.send.run();
                code = Status.Code.OK;
            } catch (StatusRuntimeException e) {
                code = e.getStatus().getCode();
                if ((code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN) && notes.size() < 10) {
                    notes.add(code + " (" + e.getStatus().getDescription() + ") for " + call.what);
                }
            }
            codes.merge(code.name(), 1L, Long::sum);
            if (code == Status.Code.DEADLINE_EXCEEDED) {
                hangs++;
                problems.add("no answer within " + DEADLINE_SECONDS + " s: " + call.what);
            }
            if (!server.isAlive()) {
                problems.add("the server died after: " + call.what);
                break;
            }
            long now = currentRevision();
            if (code != Status.Code.OK && now != revision) {
                changed++;
                problems.add("refused (" + code + ") but the revision moved " + revision + " -> " + now + ": " + call.what);
            }
            revision = now;
        }
        boolean alive = server.isAlive();
        if (alive) {
            try {
                kv().put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("fuzz/after")).setValue(ByteString.copyFromUtf8("ok")).build());
            } catch (RuntimeException e) {
                problems.add("a valid put fails after the fuzz: " + e);
            }
        } else {
            problems.add("the server process is gone");
        }
        return new Report(n, codes, hangs, changed, alive, problems, notes);
    }

    private KVGrpc.KVBlockingStub kv() {
        return KVGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    private long currentRevision() {
        return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance()).getHeader().getRevision();
    }

    private record Call(String what, Runnable send) {
    }

    private Call nextCall() {
        switch (random.nextInt(6)) {
            case 0 -> {
                RangeRequest r = range();
                return new Call("Range " + brief(r), () -> kv().range(r));
            }
            case 1 -> {
                PutRequest r = put();
                return new Call("Put " + brief(r), () -> kv().put(r));
            }
            case 2 -> {
                DeleteRangeRequest r = delete();
                return new Call("DeleteRange " + brief(r), () -> kv().deleteRange(r));
            }
            case 3 -> {
                TxnRequest r = txn(0);
                return new Call("Txn " + brief(r), () -> kv().txn(r));
            }
            case 4 -> {
                CompactionRequest r = CompactionRequest.newBuilder().setRevision(number()).setPhysical(random.nextBoolean()).build();
                return new Call("Compact " + brief(r), () -> kv().compact(r));
            }
            default -> {
                return raw();
            }
        }
    }

    /** A valid message's bytes with a few bytes flipped, inserted or cut, sent to a random KV method. */
    private Call raw() {
        MessageLite base = switch (random.nextInt(4)) {
            case 0 -> range();
            case 1 -> put();
            case 2 -> delete();
            default -> txn(0);
        };
        byte[] bytes = base.toByteArray();
        if (bytes.length == 0 || random.nextInt(5) == 0) {
            bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
        } else {
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            if (random.nextBoolean()) {
                bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 8));
            }
        }
        String method = List.of("Range", "Put", "DeleteRange", "Txn", "Compact").get(random.nextInt(5));
        byte[] payload = bytes;
        MethodDescriptor<byte[], byte[]> md = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("etcdserverpb.KV", method))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        return new Call("raw " + method + " " + payload.length + " bytes " + hex(payload), () -> ClientCalls.blockingUnaryCall(
                channel, md, CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS), payload));
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private RangeRequest range() {
        RangeRequest.Builder b = RangeRequest.newBuilder().setKey(key());
        if (random.nextBoolean()) {
            b.setRangeEnd(key());
        }
        if (random.nextInt(3) == 0) {
            b.setLimit(number());
        }
        if (random.nextInt(3) == 0) {
            b.setRevision(number());
        }
        if (random.nextInt(3) == 0) {
            b.setSortOrderValue(enumValue());
        }
        if (random.nextInt(3) == 0) {
            b.setSortTargetValue(enumValue());
        }
        b.setSerializable(random.nextBoolean()).setKeysOnly(random.nextInt(4) == 0).setCountOnly(random.nextInt(4) == 0);
        if (random.nextInt(4) == 0) {
            b.setMinModRevision(number()).setMaxModRevision(number());
        }
        if (random.nextInt(4) == 0) {
            b.setMinCreateRevision(number()).setMaxCreateRevision(number());
        }
        return b.build();
    }

    private PutRequest put() {
        PutRequest.Builder b = PutRequest.newBuilder().setKey(key()).setValue(value());
        if (random.nextInt(4) == 0) {
            b.setLease(number());
        }
        b.setPrevKv(random.nextBoolean()).setIgnoreValue(random.nextInt(5) == 0).setIgnoreLease(random.nextInt(5) == 0);
        return b.build();
    }

    private DeleteRangeRequest delete() {
        DeleteRangeRequest.Builder b = DeleteRangeRequest.newBuilder().setKey(key()).setPrevKv(random.nextBoolean());
        if (random.nextBoolean()) {
            b.setRangeEnd(key());
        }
        return b.build();
    }

    private TxnRequest txn(int depth) {
        TxnRequest.Builder b = TxnRequest.newBuilder();
        int compares = random.nextInt(10) == 0 ? 130 : random.nextInt(4);
        bulk += compares > 4 ? 1 : 0;
        for (int i = 0; i < compares; i++) {
            Compare.Builder c = Compare.newBuilder().setKey(key()).setResultValue(random.nextInt(6) == 0 ? 99 : random.nextInt(4))
                    .setTargetValue(random.nextInt(6) == 0 ? 99 : random.nextInt(5));
            switch (random.nextInt(5)) {
                case 0 -> c.setVersion(number());
                case 1 -> c.setCreateRevision(number());
                case 2 -> c.setModRevision(number());
                case 3 -> c.setValue(value());
                default -> c.setValue(ByteString.copyFromUtf8("v" + number()));
            }
            if (random.nextInt(4) == 0) {
                c.setRangeEnd(key());
            }
            b.addCompare(c);
        }
        bulk -= compares > 4 ? 1 : 0;
        int ops = random.nextInt(10) == 0 ? 129 + random.nextInt(3) : random.nextInt(4);
        bulk += ops > 4 ? 1 : 0;
        for (int i = 0; i < ops; i++) {
            (random.nextBoolean() ? b.addSuccessBuilder() : b.addFailureBuilder()).mergeFrom(requestOp(depth));
        }
        bulk -= ops > 4 ? 1 : 0;
        return b.build();
    }

    private RequestOp requestOp(int depth) {
        return switch (random.nextInt(depth < 2 ? 5 : 4)) {
            case 0 -> RequestOp.newBuilder().setRequestRange(range()).build();
            case 1 -> RequestOp.newBuilder().setRequestPut(put()).build();
            case 2 -> RequestOp.newBuilder().setRequestDeleteRange(delete()).build();
            case 3 -> RequestOp.getDefaultInstance(); // no request set at all
            default -> RequestOp.newBuilder().setRequestTxn(txn(depth + 1)).build();
        };
    }

    private ByteString key() {
        return switch (random.nextInt(10)) {
            case 0 -> ByteString.EMPTY;
            case 1 -> ByteString.copyFrom(new byte[] {0});
            case 2 -> bulk > 0 ? ByteString.copyFromUtf8("fuzz/bulk")
                    : random.nextInt(20) == 0 ? ByteString.copyFrom(new byte[(1 << 20) + random.nextInt(1 << 20)])
                    : ByteString.copyFrom(new byte[1000 + random.nextInt(10_000)]);
            case 3, 4 -> {
                byte[] b = new byte[1 + random.nextInt(20)];
                random.nextBytes(b);
                yield ByteString.copyFrom(b);
            }
            default -> ByteString.copyFromUtf8("fuzz/" + random.nextInt(6));
        };
    }

    private ByteString value() {
        return switch (random.nextInt(12)) {
            case 0 -> ByteString.EMPTY;
            case 1 -> bulk > 0 ? ByteString.copyFromUtf8("bulk")
                    : random.nextInt(20) == 0 ? ByteString.copyFrom(new byte[(3 << 19) + random.nextInt(1 << 20)])
                    : ByteString.copyFrom(new byte[random.nextInt(100_000)]);
            default -> ByteString.copyFromUtf8("v" + random.nextInt(100));
        };
    }

    private long number() {
        return switch (random.nextInt(10)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Long.MIN_VALUE;
            case 3 -> Long.MAX_VALUE;
            case 4 -> Integer.MAX_VALUE + 1L;
            case 5 -> random.nextLong();
            case 6 -> revision;
            case 7 -> revision + 1 + random.nextInt(3);
            default -> random.nextInt(Math.max(1, (int) Math.min(revision + 2, 1000)));
        };
    }

    private int enumValue() {
        return random.nextInt(4) == 0 ? 99 : random.nextInt(3);
    }

    private static String brief(MessageLite m) {
        String s = m.toString().replace('\n', ' ');
        return s.length() > 300 ? s.substring(0, 300) + "... (" + m.getSerializedSize() + " bytes)" : s;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 48); i++) {
            sb.append(String.format("%02x", b[i]));
        }
        return b.length > 48 ? sb + "..." : sb.toString();
    }
}
