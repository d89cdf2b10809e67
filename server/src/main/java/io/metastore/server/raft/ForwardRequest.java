package io.metastore.server.raft;

import java.io.Serializable;

/**
 * A client write a follower passes to the leader: the etcd request message as received
 * ({@code kind} names its type). Sent over jraft's RPC transport, whose default serializer
 * needs a plain class with a no-argument constructor.
 */
public final class ForwardRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The etcd request types a follower forwards (writes, and lease operations only the leader can answer). */
    public enum Kind { PUT, DELETE_RANGE, TXN, COMPACT, LEASE_GRANT, LEASE_REVOKE, LEASE_KEEP_ALIVE, LEASE_TIME_TO_LIVE,
        MEMBER_ADD, MEMBER_REMOVE, MEMBER_UPDATE, MEMBER_PROMOTE,
        /** A command already built by the follower (an entry in any codec's format, as a BytesValue). */
        COMMAND }

    private String kind;
    private byte[] request;

    public ForwardRequest() {
    }

    public ForwardRequest(Kind kind, byte[] request) {
        this.kind = kind.name();
        this.request = request;
    }

    public Kind kind() {
        return Kind.valueOf(kind);
    }

    public byte[] request() {
        return request;
    }
}
