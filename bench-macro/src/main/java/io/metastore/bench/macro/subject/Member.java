package io.metastore.bench.macro.subject;

import java.util.OptionalLong;

/**
 * One server of a started cell as its clients see it: its name ({@code m1}, {@code m2}, ... in
 * start order), where its client endpoint answers, whether its Status said it leads when the
 * cell started, and the id of its process when the harness launched it (the server process
 * itself, never a wrapper: the command is exec'd directly), which is what CPU time is read from.
 */
public record Member(String name, String host, int port, boolean leader, OptionalLong pid) {
    public String role() {
        return leader ? "leader" : "follower";
    }

    public String address() {
        return host + ":" + port;
    }
}
