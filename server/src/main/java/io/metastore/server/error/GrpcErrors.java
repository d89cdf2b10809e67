package io.metastore.server.error;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.metastore.mvcc.MvccException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns whatever a request failed with into the gRPC status etcd would answer. Domain errors
 * map through {@link EtcdError}; anything else is an internal error whose message is kept.
 */
public final class GrpcErrors {
    /** Go's names of the status codes, indexed by {@link Status.Code#value()}. */
    private static final String[] GO_CODES = {"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
        "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
        "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"};

    private GrpcErrors() {
    }

    /** Go's name of a status code ({@code PermissionDenied}), as grpc-go prints it and etcd's metrics label it. */
    public static String goName(Status.Code code) {
        return GO_CODES[code.value()];
    }

    /** The etcd error a failure stands for, or {@code null} when it is not a request error. */
    public static EtcdError etcdError(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof EtcdException e) {
            return e.error();
        }
        if (cause instanceof MvccException.Compacted) {
            return EtcdError.COMPACTED;
        }
        if (cause instanceof MvccException.FutureRevision) {
            return EtcdError.FUTURE_REV;
        }
        if (cause instanceof MvccException.KeyNotFound) {
            return EtcdError.KEY_NOT_FOUND;
        }
        return null;
    }

    public static StatusRuntimeException toStatus(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof StatusRuntimeException s) {
            return s;
        }
        EtcdError e = etcdError(cause);
        if (e != null) {
            return Status.fromCode(e.code()).withDescription(e.message()).asRuntimeException();
        }
        return Status.INTERNAL.withDescription(String.valueOf(cause.getMessage())).withCause(cause).asRuntimeException();
    }

    /**
     * The status etcd's v3lock and v3election services answer a failure with. They call KV and
     * Lease through etcd's own in-process client, whose errors are no longer gRPC statuses, so a
     * request error reaches their caller as code Unknown with etcd's text: etcd 3.4.23 answers a
     * Proclaim on a key the caller may not read with Unknown "etcdserver: permission denied", and
     * one without a token with Unknown "etcdserver: user name is empty". Errors that say the
     * member cannot serve now (code Unavailable) keep their code, so a client still fails over
     * (etcd's client retries those itself before its service answers).
     */
    public static StatusRuntimeException toStatusThroughClient(Throwable t) {
        EtcdError e = etcdError(t);
        if (e == null || e.code() == Status.Code.UNAVAILABLE) {
            return toStatus(t);
        }
        return Status.UNKNOWN.withDescription(e.message()).asRuntimeException();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
