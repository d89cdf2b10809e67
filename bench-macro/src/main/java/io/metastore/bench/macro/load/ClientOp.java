package io.metastore.bench.macro.load;

/**
 * Issues one asynchronous request for client {@code client} and reports its end through
 * {@code done}. Implementations keep per-client state in arrays indexed by client, which is
 * safe because a client slot never has two requests of its own in flight at once.
 */
@FunctionalInterface
public interface ClientOp {
    void issue(int client, Completion done);
}
