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

    public ForwardResponse() {
    }

    public static ForwardResponse ok(byte[] response) {
        ForwardResponse r = new ForwardResponse();
        r.response = response;
        return r;
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
