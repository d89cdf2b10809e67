package io.metastore.server.raft;

import java.io.Serializable;

/**
 * The leader's answer to a {@link ForwardRequest}: the etcd response message, or the etcd
 * error it failed with ({@code error} is an {@code EtcdError} name; {@code null} with a
 * message for an internal failure).
 */
public final class ForwardResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    private byte[] response;
    private String error;
    private String message;
    private long appliedIndex;
    private long appliedTerm;

    public ForwardResponse() {
    }

    /**
     * An answer, and the leader's last applied entry when it was given (at or past the request's
     * entry): its index and term, so the follower knows that entry is committed.
     */
    public static ForwardResponse ok(byte[] response, long appliedIndex, long appliedTerm) {
        ForwardResponse r = new ForwardResponse();
        r.response = response;
        r.appliedIndex = appliedIndex;
        r.appliedTerm = appliedTerm;
        return r;
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    /** The term of the entry at {@link #appliedIndex}; 0 when the leader did not know it. */
    public long appliedTerm() {
        return appliedTerm;
    }

    public static ForwardResponse failed(String error, String message) {
        ForwardResponse r = new ForwardResponse();
        r.error = error;
        r.message = message;
        return r;
    }

    public byte[] response() {
        return response;
    }

    public String error() {
        return error;
    }

    public String message() {
        return message;
    }
}
