package io.metastore.bench;

import io.metastore.command.Batch;
import io.metastore.command.Command;
import io.metastore.command.Compare;
import io.metastore.command.DeleteRange;
import io.metastore.command.LeaseGrant;
import io.metastore.command.Put;
import io.metastore.command.Range;
import io.metastore.command.Txn;
import io.metastore.command.TxnOp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The commands the codec benchmarks encode and decode, by shape name. Values are random bytes
 * from a fixed seed, so every run and every codec sees the same content, and none of it is
 * compressible text that would flatter one format.
 */
final class CommandShapes {

    /** Every shape, in the order reports list them. */
    static final String ALL = "put64,put1k,put16k,txn,leaseGrant,batch100";

    private CommandShapes() {
    }

    /**
     * <ul>
     *   <li>{@code put64}, {@code put1k}, {@code put16k} — one put of a 24-byte key and a value of that size;</li>
     *   <li>{@code txn} — three compares (version, mod revision, value), four success ops (two puts of
     *       64 bytes, a delete, a range) and one failure op (a range): a typical compare-and-swap;</li>
     *   <li>{@code leaseGrant} — a lease grant, the smallest command;</li>
     *   <li>{@code batch100} — the batched proposal strategy's entry: 100 puts of 64 bytes.</li>
     * </ul>
     */
    static Command of(String shape) {
        SplittableRandom random = new SplittableRandom(42);
        return switch (shape) {
            case "put64" -> put(random, 0, 64);
            case "put1k" -> put(random, 0, 1024);
            case "put16k" -> put(random, 0, 16 * 1024);
            case "txn" -> new Txn(
                    List.of(Compare.version(key(0), Compare.Result.EQUAL, 3),
                            Compare.modRevision(key(1), Compare.Result.LESS, 1_000_000),
                            Compare.value(key(2), Compare.Result.EQUAL, bytes(random, 64))),
                    List.<TxnOp>of(put(random, 0, 64), put(random, 1, 64), DeleteRange.key(key(2)),
                            Range.of(key(3), key(4))),
                    List.<TxnOp>of(Range.of(key(0), new byte[0])));
            case "leaseGrant" -> new LeaseGrant(7_587_869_870_237_436_930L, 60);
            case "batch100" -> {
                List<Command> puts = new ArrayList<>(100);
                for (int i = 0; i < 100; i++) {
                    puts.add(put(random, i, 64));
                }
                yield new Batch(puts);
            }
            default -> throw new IllegalArgumentException("unknown shape " + shape + "; valid: " + ALL);
        };
    }

    private static Put put(SplittableRandom random, int keyNumber, int valueSize) {
        return Put.of(key(keyNumber), bytes(random, valueSize));
    }

    /** Keys shaped like a service registry's: {@code /registry/svc/000042}, 24 bytes. */
    static byte[] key(int n) {
        return String.format("/registry/svc/%010d", n).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] bytes(SplittableRandom random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }
}
