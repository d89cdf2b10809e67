package io.metastore.server.apply;

/** Whether a lease exists, as the applier must know before attaching a key to it. */
@FunctionalInterface
public interface LeaseLookup {
    boolean exists(long leaseId);

    /** No leases at all: every put naming a lease fails with "requested lease not found". */
    static LeaseLookup none() {
        return id -> false;
    }
}
