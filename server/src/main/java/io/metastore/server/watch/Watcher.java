package io.metastore.server.watch;

import io.metastore.mvcc.Event;
import io.metastore.mvcc.RangeQuery;

import java.util.ArrayList;
import java.util.List;

/**
 * One watcher: the keys it selects, its options, and where it stands in the revision sequence.
 *
 * <p>The immutable fields are set at creation. The mutable ones ({@code nextRevision},
 * {@code synced}, {@code removed}, {@code sentSinceTick}) are guarded by the hub's lock.
 */
final class Watcher {
    final WatchStream stream;
    final long id;
    /** The selected keys, as etcd's range conventions define them ({@link RangeQuery#contains}). */
    final RangeQuery keys;
    final boolean noPut;
    final boolean noDelete;
    final boolean prevKv;
    final boolean progressNotify;
    /** Split responses over the size limit ({@link Fragments}). */
    final boolean fragment;

    /** Every revision below this one has been handed to the stream (or had nothing for this watcher). */
    long nextRevision;
    /** In the synced group: fed by the apply thread. Otherwise unsynced: fed from history by the hub thread. */
    boolean synced;
    boolean removed;
    /** Whether events went out since the last progress tick (etcd sends progress only to idle watchers). */
    boolean sentSinceTick;

    Watcher(WatchStream stream, long id, RangeQuery keys, boolean noPut, boolean noDelete, boolean prevKv,
            boolean progressNotify, boolean fragment) {
        this.stream = stream;
        this.id = id;
        this.keys = keys;
        this.noPut = noPut;
        this.noDelete = noDelete;
        this.prevKv = prevKv;
        this.progressNotify = progressNotify;
        this.fragment = fragment;
    }

    boolean isSingleKey() {
        return keys.rangeEnd().length == 0;
    }

    boolean accepts(Event e) {
        return e.type() == Event.Type.PUT ? !noPut : !noDelete;
    }

    /** The events of one revision this watcher wants: in its range and not filtered out; empty for none. */
    List<Event> select(List<Event> events) {
        List<Event> out = null;
        for (Event e : events) {
            if (accepts(e) && keys.contains(e.kv().key())) {
                if (out == null) {
                    out = new ArrayList<>(events.size());
                }
                out.add(e);
            }
        }
        return out == null ? List.of() : out;
    }
}
