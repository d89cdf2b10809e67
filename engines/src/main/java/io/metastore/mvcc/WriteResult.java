package io.metastore.mvcc;

import java.util.List;

/** A committed write transaction: its revision and its changes as events, in the order made. */
public record WriteResult(long revision, List<Event> events) {
    public WriteResult {
        events = List.copyOf(events);
    }
}
