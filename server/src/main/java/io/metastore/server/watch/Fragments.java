package io.metastore.server.watch;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchResponse;

import java.util.List;
import java.util.function.Consumer;

/**
 * etcd's response fragmentation for watchers created with {@code fragment}: a response of at
 * least the size limit with two or more events goes out as several responses, each filled with
 * events until adding one more would reach the limit (but holding at least one), all marked
 * {@code fragment = true} except the last.
 *
 * <p>Worked example (limit 2 MiB, four events of 600 KB): 600 KB, 1.2 MB, 1.8 MB fit, 2.4 MB
 * would not, so the first fragment carries three events and the second, unmarked, the fourth;
 * that is what etcd 3.4 sends.
 *
 * <p>The stubs this server is built from predate the fields, so {@code WatchCreateRequest.fragment}
 * (8) and {@code WatchResponse.fragment} (7) travel as protobuf fields the stubs do not name.
 */
final class Fragments {
    /** {@code WatchCreateRequest.watch_id} in etcd 3.4's rpc.proto. */
    static final int CREATE_WATCH_ID_FIELD = 7;
    /** {@code WatchCreateRequest.fragment}. */
    static final int CREATE_FRAGMENT_FIELD = 8;
    /** {@code WatchResponse.fragment}. */
    static final int RESPONSE_FRAGMENT_FIELD = 7;
    private static final int EVENTS_FIELD = WatchResponse.EVENTS_FIELD_NUMBER;
    private static final UnknownFieldSet FRAGMENT = UnknownFieldSet.newBuilder()
            .addField(RESPONSE_FRAGMENT_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build();

    private Fragments() {
    }

    static boolean isFragment(WatchResponse r) {
        return r.getUnknownFields().hasField(RESPONSE_FRAGMENT_FIELD);
    }

    static void send(WatchResponse r, int limit, Consumer<WatchResponse> out) {
        if (r.getEventsCount() < 2 || r.getSerializedSize() < limit) {
            out.accept(r);
            return;
        }
        WatchResponse marked = r.toBuilder().clearEvents().setUnknownFields(FRAGMENT).build();
        int base = marked.getSerializedSize();
        List<Event> events = r.getEventsList();
        int i = 0;
        while (i < events.size()) {
            WatchResponse.Builder b = marked.toBuilder();
            int size = base;
            int start = i;
            while (i < events.size()) {
                int add = CodedOutputStream.computeMessageSize(EVENTS_FIELD, events.get(i));
                if (i > start && size + add >= limit) {
                    break;
                }
                b.addEvents(events.get(i));
                size += add;
                i++;
            }
            if (i == events.size()) {
                b.setUnknownFields(UnknownFieldSet.getDefaultInstance());
            }
            out.accept(b.build());
        }
    }
}
