package io.metastore.command;

/**
 * A command replicated through the Raft log and applied, in log order, by every member.
 *
 * <p>Commands are values: byte arrays are copied once where a command is built from a request
 * and never mutated afterwards, so a command may be shared between the proposing thread, the
 * codec and the apply thread without copying.
 */
public sealed interface Command permits Put, DeleteRange, Txn, Compact, LeaseGrant, LeaseRevoke, Batch,
        AuthChange, AlarmChange, MemberChange {
}
