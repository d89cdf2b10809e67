package io.metastore.bench.macro.subject;

import java.util.List;
import java.util.Locale;

/**
 * Which members of a cell get the load: {@code ALL} spreads the load driver's connections
 * round-robin over every member's client endpoint, as an etcd client given every endpoint does;
 * {@code LEADER} sends everything to the member whose Status says it leads, as a leader-aware
 * client would; {@code FOLLOWER} to one member whose Status says it does not lead. For a single
 * node all three are the same member, and a cell records {@code all}.
 */
public enum LoadTo {
    ALL, LEADER, FOLLOWER;

    /** {@code all}, {@code leader} or {@code follower}: the cell field and the label suffix. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The members that get the load, in the order the driver assigns its connections to them. */
    public List<Member> select(List<Member> members) {
        return switch (this) {
            case ALL -> members;
            case LEADER -> members.stream().filter(Member::leader).limit(1).toList();
            case FOLLOWER -> {
                List<Member> followers = members.stream().filter(m -> !m.leader()).limit(1).toList();
                if (followers.isEmpty()) {
                    throw new IllegalStateException("no member says it follows: " + members);
                }
                yield followers;
            }
        };
    }
}
