package io.metastore.command;

/** An operation inside a transaction's success or failure list: etcd's {@code RequestOp}. */
public sealed interface TxnOp permits Range, Put, DeleteRange, Txn {
}
