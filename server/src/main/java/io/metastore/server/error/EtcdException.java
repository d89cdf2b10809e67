package io.metastore.server.error;

/** A request refused with one of etcd's errors; a value, not a fault (no stack trace is kept). */
public final class EtcdException extends RuntimeException {
    private final EtcdError error;

    public EtcdException(EtcdError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public EtcdError error() {
        return error;
    }
}
