package io.metastore.bench.macro;

import io.metastore.bench.macro.subject.ExternalSubject;
import io.metastore.bench.macro.subject.LoadTo;
import io.metastore.bench.macro.subject.ServerSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest {
    private static final String[] ROOT = {"--root", "/repo"};

    private static BenchOptions parse(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(ROOT, 0, all, args.length, 2);
        return BenchOptions.parse(all);
    }

    @Test
    void explicitFlagsOverrideQuickDefaultsWhateverTheirPosition() {
        BenchOptions o = parse("--duration", "7s", "--quick", "--configs=tier2");
        assertEquals(Duration.ofSeconds(7), o.duration());
        assertEquals(List.of("tier2"), o.configs());
        assertEquals(List.of("memory"), o.storages());
        assertEquals(1, o.repetitions());
        assertEquals(Path.of("/repo/server/target/metastore-server.jar"), o.serverJar());
    }

    @Test
    void targetsAreRepeatableInBothForms() {
        BenchOptions o = parse("--target", "a=127.0.0.1:2379", "--target=b=localhost:1");
        assertEquals(List.of("a=127.0.0.1:2379", "b=localhost:1"), o.targets());
        assertEquals(new ExternalSubject("b", "localhost", 1), ExternalSubject.parse(o.targets().get(1)));
    }

    @Test
    void serverRuntimesAreTheHarnessJvmUnlessListed() {
        assertEquals(List.of("default"), parse().serverJava());
        assertEquals(Duration.ofSeconds(60), parse().aotTraining());
        BenchOptions o = parse("--server-java", "default,/jdk25,/jdk25+aot", "--aot-training=20s");
        assertEquals(List.of("default", "/jdk25", "/jdk25+aot"), o.serverJava());
        assertEquals(Duration.ofSeconds(20), o.aotTraining());
    }

    @Test
    void clusterSizesAreAListOfPositiveCounts() {
        assertEquals(List.of(1), parse().nodes());
        assertEquals(List.of(1, 3), parse("--nodes", "1,3,3").nodes());
        assertThrows(BenchOptions.UsageException.class, () -> parse("--nodes", "0"));
    }

    @Test
    void clusterLoadIsAllByDefaultAndTakesLeaderButNotFollower() {
        assertEquals(List.of(LoadTo.ALL), parse().clusterLoad());
        assertEquals(List.of(LoadTo.LEADER), parse("--cluster-load", "leader").clusterLoad());
        assertEquals(List.of(LoadTo.ALL, LoadTo.LEADER), parse("--cluster-load=all,leader,all").clusterLoad());
        assertThrows(BenchOptions.UsageException.class, () -> parse("--cluster-load", "follower"));
    }

    @Test
    void theProgressBarFillsWithFinishedCells() {
        assertEquals("[--------------------]", Harness.bar(0, 60));
        assertEquals("[##########----------]", Harness.bar(30, 60));
        assertEquals("[####################]", Harness.bar(60, 60));
    }

    @Test
    void durationsTakeUnits() {
        assertEquals(Duration.ofMillis(500), BenchOptions.duration("500ms"));
        assertEquals(Duration.ofMillis(1500), BenchOptions.duration("1.5s"));
        assertEquals(Duration.ofMinutes(2), BenchOptions.duration("2m"));
    }

    @Test
    void unknownFlagsAndStoragesAreUsageErrors() {
        assertEquals("unknown flag --bogus",
                assertThrows(BenchOptions.UsageException.class, () -> parse("--bogus")).getMessage());
        assertThrows(BenchOptions.UsageException.class, () -> parse("--storage", "bolt"));
    }

    @Test
    void oneSwitchVariantsAreTheBaselineWithOneFlag() {
        ServerSpec codec = ServerSpec.parse("codec-only");
        assertEquals("baseline", codec.tier());
        assertEquals(Map.of("codec", "protobuf"), codec.overrides());
        assertEquals(List.of("--tier", "baseline", "--codec", "protobuf"), codec.flags());
        assertTrue(ServerSpec.parse("locking-only").onlyAffectsMemoryEngine());
        assertEquals(List.of("--tier", "tier1", "--raft-apply-batch", "64"),
                ServerSpec.parse("tier1+raft-apply-batch=64").flags());
        assertThrows(IllegalArgumentException.class, () -> ServerSpec.parse("tier9"));
    }
}
