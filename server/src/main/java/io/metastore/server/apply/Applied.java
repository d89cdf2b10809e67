package io.metastore.server.apply;

import com.google.protobuf.Message;
import io.metastore.mvcc.Event;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What applying one command produced: etcd's response message (its header holds only the
 * revision; the gRPC edge adds cluster, member and term) or the request error, the change
 * events for watchers, and for a compaction the future of its physical deletes.
 */
public record Applied(Message response, RuntimeException error, List<Event> events, CompletableFuture<Void> compaction) {

    static Applied ok(Message response, List<Event> events) {
        return new Applied(response, null, events, null);
    }

    static Applied failed(RuntimeException error) {
        return new Applied(null, error, List.of(), null);
    }

    /** This result, or its request error thrown. */
    public Applied orThrow() {
        if (error != null) {
            throw error;
        }
        return this;
    }

    public boolean isError() {
        return error != null;
    }
}
