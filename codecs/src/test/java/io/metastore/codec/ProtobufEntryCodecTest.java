package io.metastore.codec;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.metastore.codec.proto.Entry;
import io.metastore.codec.proto.LeaseRevokeRequest;
import io.metastore.codec.proto.RangeRequest;
import io.metastore.codec.proto.RequestOp;
import io.metastore.codec.proto.TxnRequest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProtobufEntryCodecTest extends EntryCodecContract {

    private final ProtobufEntryCodec codec = new ProtobufEntryCodec();

    @Override
    EntryCodec codec() {
        return codec;
    }

    @Override
    byte expectedId() {
        return 3;
    }

    private static byte[] entry(Entry message) {
        byte[] body = message.toByteArray();
        byte[] entry = Arrays.copyOf(EntryHeader.of(EntryHeader.PROTOBUF_ID), EntryHeader.LENGTH + body.length);
        System.arraycopy(body, 0, entry, EntryHeader.LENGTH, body.length);
        return entry;
    }

    @Test
    void entryWithoutCommandIsCorrupt() {
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(Entry.getDefaultInstance())));
    }

    @Test
    void txnOpWithoutRequestIsCorrupt() {
        Entry message = Entry.newBuilder()
                .setTxn(TxnRequest.newBuilder().addSuccess(RequestOp.getDefaultInstance())).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(message)));
    }

    @Test
    void unknownEnumNumberIsCorrupt() {
        Entry message = Entry.newBuilder().setTxn(TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                .setRequestRange(RangeRequest.newBuilder().setSortOrderValue(7)))).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(message)));
    }

    @Test
    void nestingBeyondTheRecursionLimitIsCorrupt() {
        TxnRequest txn = TxnRequest.getDefaultInstance();
        for (int i = 0; i < 200; i++) {
            txn = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestTxn(txn)).build();
        }
        Entry message = Entry.newBuilder().setTxn(txn).build();
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry(message)));
    }

    @Test
    void unknownTopLevelFieldIsCorrupt() {
        byte[] known = entry(Entry.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setId(3)).build());
        byte[] entry = Arrays.copyOf(known, known.length + 2);
        entry[known.length] = (byte) (15 << 3); // field 15, wire type varint
        entry[known.length + 1] = 1;
        assertThrows(CorruptEntryException.class, () -> codec.decode(entry));
    }
}
