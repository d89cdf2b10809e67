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
    private GrpcErrors() {
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

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
