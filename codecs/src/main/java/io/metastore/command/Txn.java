package io.metastore.command;

import java.util.List;
import java.util.Objects;

/**
 * etcd's {@code TxnRequest}: if every compare holds, apply {@code success}, otherwise
 * {@code failure}. Either list may hold nested transactions.
 */
public record Txn(List<Compare> compare, List<TxnOp> success, List<TxnOp> failure) implements Command, TxnOp {

    public Txn {
        compare = List.copyOf(Objects.requireNonNull(compare, "compare"));
        success = List.copyOf(Objects.requireNonNull(success, "success"));
        failure = List.copyOf(Objects.requireNonNull(failure, "failure"));
    }
}
