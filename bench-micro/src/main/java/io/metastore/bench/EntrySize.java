package io.metastore.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * JMH auxiliary counter: the size in bytes of the entry the last operation encoded or decoded.
 * Every operation of a trial handles the same entry, so the value is exact, not an average; it
 * appears in the results as the secondary metric {@code bytesPerEntry}. JMH sums {@code EVENTS}
 * counters over iterations in the metric's score, so read a per-iteration value from its raw
 * data (the summary does).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class EntrySize {
    public long bytesPerEntry;
}
