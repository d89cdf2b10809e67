package io.metastore.command;

import java.util.Objects;

/**
 * A change to the replicated map from a member's Raft peer address to its member id, so that
 * an id, once assigned, stays the member's own (etcd keeps ids stable across peer URL updates,
 * restarts and leader changes). {@code ASSIGN} points {@code peer} at {@code memberId};
 * {@code FORGET} drops the entry for {@code peer}, but only while it still holds
 * {@code memberId}, so a late forget never removes an id assigned to that address since.
 */
public record MemberChange(Action action, String peer, long memberId) implements Command {

    public enum Action { ASSIGN, FORGET }

    public MemberChange {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(peer, "peer");
    }
}
