package io.metastore.server.config;

import io.metastore.engine.memory.MemoryEngine;
import io.metastore.mvcc.StoreOptions;
import io.metastore.server.propose.ProposalStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    static ServerConfig load(Map<String, String> env, String... args) {
        return ((ConfigLoader.Run) ConfigLoader.load(args, env)).config();
    }

    @Test
    void noFlagsGiveASingleNodeOnTheEtcdPortsWithRocksDbInData() {
        ServerConfig c = load(Map.of());
        assertEquals(1, c.memberId());
        assertEquals(List.of("127.0.0.1:2380"), c.peers());
        assertEquals("127.0.0.1:2379", c.grpcAddress());
        assertEquals(9121, c.httpPort(), "the seed's key-value HTTP port");
        assertEquals(false, load(Map.of(), "--port", "0").httpEnabled(), "--port 0 turns it off");
        assertEquals(ServerConfig.Storage.ROCKSDB, c.storage());
        assertEquals(Path.of("./data"), c.dataDir());
        assertEquals(Tier.TIER3, c.tier());
        assertEquals("protobuf", c.codec());
        assertEquals(ProposalStrategy.batched(128, 200, true), c.proposalStrategy());
        assertEquals(MemoryEngine.Locking.SHARDED, c.memoryLocking());
        assertEquals(StoreOptions.Encoding.BINARY, c.storeOptions().encoding());
        assertFalse(c.join());
    }

    @Test
    void limitsDefaultToEtcdsAndAreOptions() {
        assertEquals(new ServerConfig.Limits(1572864, 0, 100_000, 0, 0, 30_000), load(Map.of()).limits());
        ServerConfig c = load(Map.of("METASTORE_MAX_LEASES", "7"), "--max-request-bytes", "1024",
                "--max-concurrent-streams", "8", "--max-watchers", "5", "--max-requests-per-second=100");
        assertEquals(new ServerConfig.Limits(1024, 8, 5, 7, 100, 30_000), c.limits());
        assertThrows(ConfigException.class, () -> load(Map.of(), "--max-request-bytes", "0"));
        assertThrows(ConfigException.class, () -> load(Map.of(), "--max-requests-per-second", "-1"));
    }

    @Test
    void loggingIsTextAtInfoUnlessToldOtherwise() {
        assertEquals(new ServerConfig.Log(false, "info"), load(Map.of()).log());
        assertEquals(new ServerConfig.Log(true, "debug"), load(Map.of(), "--log-format", "JSON", "--log-level", "debug").log());
        assertThrows(ConfigException.class, () -> load(Map.of(), "--log-format", "xml"));
        assertThrows(ConfigException.class, () -> load(Map.of(), "--log-level", "loud"));
    }

    @Test
    void theBaselineTierSetsEverySwitchToTheSeedsChoice() {
        ServerConfig c = load(Map.of(), "--tier", "baseline");
        assertEquals("json", c.codec());
        assertEquals(ProposalStrategy.unbuffered(), c.proposalStrategy());
        assertEquals(MemoryEngine.Locking.GLOBAL, c.memoryLocking());
        assertEquals(StoreOptions.Encoding.GENERIC, c.storeOptions().encoding());
        assertFalse(c.storeOptions().pooledBuffers());
        assertFalse(c.storeOptions().cachedRevision());
        assertFalse(c.storeOptions().batchedWrites());
    }

    @Test
    void explicitOptionsBeatTheTierAndTheEnvironmentBeatsFlagsAndFile() throws Exception {
        Path yaml = dir.resolve("m.yaml");
        Files.writeString(yaml, "tier: tier2\ncodec: kryo\ngrpc-addr: 127.0.0.1:3000\ncluster:\n  - 127.0.0.1:3001\n  - http://127.0.0.1:3002\nmember-id: 2\n");
        ServerConfig fileOnly = load(Map.of(), "--config", yaml.toString());
        assertEquals(Tier.TIER2, fileOnly.tier());
        assertEquals("kryo", fileOnly.codec());
        assertEquals(ProposalStrategy.buffered(1000), fileOnly.proposalStrategy());
        assertEquals(List.of("127.0.0.1:3001", "127.0.0.1:3002"), fileOnly.peers());
        assertEquals("127.0.0.1:3002", fileOnly.raftAddress());

        ServerConfig flags = load(Map.of(), "--config", yaml.toString(), "--codec", "json", "--grpc-addr=127.0.0.1:4000");
        assertEquals("json", flags.codec());
        assertEquals(4000, flags.grpcPort());

        ServerConfig env = load(Map.of("METASTORE_CODEC", "protobuf", "METASTORE_CONFIG", yaml.toString()), "--codec", "json");
        assertEquals("protobuf", env.codec());
        assertEquals(3000, env.grpcPort());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--bogus                                | unknown flag --bogus (see --help)",
            "--storage,disk                         | --storage must be one of memory, rocksdb, got 'disk'",
            "--codec,xml                            | --codec must be json, kryo or protobuf, got 'xml'",
            "--member-id,3                          | --member-id 3 is outside --cluster, which has 1 peer(s)",
            "--member-id,x                          | --member-id must be a number, got 'x'",
            "--grpc-addr,nohost                     | --grpc-addr: 'nohost' is not host:port",
            "--port,70000                           | --port must be between 0 and 65535, got 70000",
            "--proposal-strategy,queued             | --proposal-strategy: unknown proposal strategy 'queued' (expected unbuffered, buffered[:N] or batched[:maxOps[:maxDelayMicros[:adaptive]]])",
            "--proposal-strategy,buffered:0         | --proposal-strategy: queue capacity must be at least 1, got 0",
            "--tier,tier9                           | --tier must be baseline, tier1, tier2 or tier3, got 'tier9'",
            "--pooled-buffers,maybe                 | --pooled-buffers must be true or false, got 'maybe'",
            "--raft-disruptor-buffer,1000           | --raft-disruptor-buffer must be a power of two, got 1000",
            "--data-dir                             | flag --data-dir needs a value",
            "stray                                  | unexpected argument 'stray' (see --help)",
    })
    void badOptionsFailWithOneLine(String args, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(args.split(","), Map.of()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void unknownYamlKeysAreRefused() throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "grpc-adress: 1.2.3.4:5\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", yaml.toString()}, Map.of()));
        assertEquals("unknown option 'grpc-adress' in config file " + yaml, e.getMessage());
    }

    @Test
    void environmentVariablesThatNameNoOptionAreReported() {
        assertEquals(List.of("METASTORE_GRPC_ADR", "METASTORE_NOSUCH"), ConfigLoader.unknownEnvironment(Map.of(
                "METASTORE_GRPC_ADR", "x", "METASTORE_NOSUCH", "1", "METASTORE_GRPC_ADDR", "127.0.0.1:1",
                "METASTORE_JAVA_OPTS", "-Xmx1g", "PATH", "/bin")));
    }

    @Test
    void aMissingOrMalformedConfigFileIsOneLine() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        ConfigException gone = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--config", missing.toString()}, Map.of()));
        assertEquals("cannot read config file " + missing + ": no such file", gone.getMessage());
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "grpc-addr: [1,\n");
        ConfigException bad = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--config", broken.toString()}, Map.of()));
        assertEquals("config file " + broken + " is not valid YAML: while parsing a flow node", bad.getMessage());
    }

    @Test
    void helpListsEveryOption() {
        ConfigLoader.Help help = assertInstanceOf(ConfigLoader.Help.class, ConfigLoader.load(new String[] {"--help"}, Map.of()));
        for (Options.Option o : Options.ALL) {
            assertTrue(help.text().contains("--" + o.name()), o.name());
        }
    }

    @Test
    void proposalStrategiesParseWithDefaults() {
        assertEquals(ProposalStrategy.buffered(1000), ProposalStrategy.parse("buffered"));
        assertEquals(ProposalStrategy.buffered(7), ProposalStrategy.parse("buffered:7"));
        assertEquals(ProposalStrategy.batched(128, 200), ProposalStrategy.parse("batched"));
        assertEquals(ProposalStrategy.batched(64, 200), ProposalStrategy.parse("batched:64"));
        assertEquals(ProposalStrategy.batched(64, 0), ProposalStrategy.parse("batched:64:0"));
        assertEquals("batched:64:0", ProposalStrategy.parse("batched:64:0").toString());
    }
}
