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
    void explicitOptionsBeatTheTierAndFlagsBeatTheEnvironmentWhichBeatsTheFile() throws Exception {
        Path yaml = dir.resolve("m.yaml");
        Files.writeString(yaml, "tier: tier2\ncodec: kryo\ngrpc-addr: 127.0.0.1:3000\ncluster:\n  - 127.0.0.1:3001\n  - http://127.0.0.1:3002\nmember-id: 2\n");
        ServerConfig fileOnly = load(Map.of(), "--config", yaml.toString());
        assertEquals(Tier.TIER2, fileOnly.tier());
        assertEquals("kryo", fileOnly.codec());
        assertEquals(ProposalStrategy.buffered(1000), fileOnly.proposalStrategy());
        assertEquals(List.of("127.0.0.1:3001", "127.0.0.1:3002"), fileOnly.peers());
        assertEquals("127.0.0.1:3002", fileOnly.raftAddress());
        assertEquals("member-2", fileOnly.identity().name(), "entries without names name their members by position");

        ServerConfig flags = load(Map.of(), "--config", yaml.toString(), "--codec", "json", "--grpc-addr=127.0.0.1:4000");
        assertEquals("json", flags.codec());
        assertEquals(4000, flags.grpcPort());

        ServerConfig env = load(Map.of("METASTORE_CODEC", "protobuf", "ETCD_MAX_REQUEST_BYTES", "2048",
                "METASTORE_CONFIG", yaml.toString()), "--port", "0");
        assertEquals("protobuf", env.codec(), "the environment beats the file");
        assertEquals(2048, env.limits().maxRequestBytes(), "an etcd option reads its ETCD_* variable too");
        assertEquals(3000, env.grpcPort());
    }

    /** etcd 3.4.23 refuses a flag and its variable together: {@code ETCD_NAME=a etcd --name b} exits 1 with this. */
    @ParameterizedTest
    @CsvSource({"ETCD_NAME,--name", "METASTORE_NAME,--name", "METASTORE_GRPC_ADDR,--listen-client-urls",
            "ETCD_LISTEN_CLIENT_URLS,--grpc-addr"})
    void aFlagAndTheVariableOfTheSameOptionAreRefusedTogether(String variable, String flag) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {flag, "http://127.0.0.1:1"}, Map.of(variable, "")));
        assertEquals("conflicting environment variable \"" + variable + "\" is shadowed by corresponding command-line flag"
                + " (either unset environment variable or disable flag)", e.getMessage());
    }

    @Test
    void usedAndUnknownVariablesAreReportedInEtcdsWords() {
        ConfigLoader.Run run = (ConfigLoader.Run) ConfigLoader.load(new String[0],
                Map.of("ETCD_DATA_DIR", "d9", "ETCD_FOO", "bar", "METASTORE_AOT", "off", "ETCDCTL_API", "3"));
        assertEquals(Path.of("d9"), run.config().dataDir());
        assertEquals(List.of("recognized and used environment variable ETCD_DATA_DIR=d9",
                "warning: unrecognized environment variable ETCD_FOO=bar"), run.notices());
    }

    @Test
    void etcdsThreeMemberCommandLineGivesTheNamedMembersPlace() {
        String cluster = "infra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380,infra2=http://10.0.1.12:2380";
        ServerConfig c = load(Map.of(), "--name", "infra1", "--initial-advertise-peer-urls", "http://10.0.1.11:2380",
                "--listen-peer-urls", "http://0.0.0.0:2380", "--listen-client-urls", "http://0.0.0.0:2379",
                "--advertise-client-urls", "http://10.0.1.11:2379", "--initial-cluster-token", "etcd-cluster-1",
                "--initial-cluster", cluster, "--initial-cluster-state", "new");
        assertEquals(2, c.memberId());
        assertEquals("infra1", c.identity().name());
        assertEquals(List.of("10.0.1.10:2380", "10.0.1.11:2380", "10.0.1.12:2380"), c.peers());
        assertEquals("10.0.1.11:2380", c.raftAddress());
        assertEquals("0.0.0.0:2380", c.identity().peerListen());
        assertEquals("0.0.0.0:2379", c.grpcAddress());
        assertEquals(List.of("http://10.0.1.11:2379"), c.identity().advertiseClientUrls());
        assertEquals("etcd-cluster-1", c.identity().clusterToken());
        assertFalse(c.join());
        assertTrue(load(Map.of(), "--name", "infra1", "--initial-cluster", cluster, "--initial-cluster-state", "existing").join());
        assertTrue(load(Map.of(), "--cluster", "127.0.0.1:2380", "--join").join(), "--join is initial-cluster-state existing");
    }

    @Test
    void withoutAnInitialClusterTheMemberIsItsNameAtItsAdvertisedPeerUrl() {
        ServerConfig c = load(Map.of(), "--name", "solo", "--initial-advertise-peer-urls", "http://127.0.0.1:12380");
        assertEquals(List.of("127.0.0.1:12380"), c.peers());
        assertEquals("solo", c.identity().name());
        assertEquals("default", load(Map.of()).identity().name(), "etcd's default name");
        assertEquals(List.of(), load(Map.of()).identity().advertiseClientUrls(), "the listen URL, with the port bound");
        assertEquals(2000, load(Map.of(), "--election-timeout", "2000").raft().electionTimeoutMs(), "etcd's name, in ms");
    }

    /** Each message is what etcd 3.4.23 answered to the same flags (run by hand; see the README). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--initial-cluster-state bogus | invalid value \"bogus\" for flag -initial-cluster-state: invalid value",
            "--name foo --initial-cluster bar=http://127.0.0.1:12380 | couldn't find local name \"foo\" in the initial cluster configuration",
            "--listen-client-urls http://127.0.0.1:12379 | --advertise-client-urls is required when --listen-client-urls is set explicitly",
            "--name foo --initial-cluster foo=http://127.0.0.1:12380 --initial-advertise-peer-urls http://127.0.0.1:12390"
                    + " | --initial-cluster has foo=http://127.0.0.1:12380 but missing from --initial-advertise-peer-urls="
                    + "http://127.0.0.1:12390 (resolved urls: \"http://127.0.0.1:12390\" != \"http://127.0.0.1:12380\")",
            "--initial-cluster foo | 'error setting up initial cluster: URL scheme must be http, https, unix, or unixs: '",
            "--listen-client-urls 127.0.0.1:12379 --advertise-client-urls http://127.0.0.1:12379"
                    + " | invalid value \"127.0.0.1:12379\" for flag -listen-client-urls: parse \"127.0.0.1:12379\":"
                    + " first path segment in URL cannot contain colon",
            "--listen-client-urls localhost:12379 --advertise-client-urls http://127.0.0.1:12379"
                    + " | invalid value \"localhost:12379\" for flag -listen-client-urls: URL scheme must be http, https,"
                    + " unix, or unixs: localhost:12379",
            "--listen-client-urls http://127.0.0.1 --advertise-client-urls http://127.0.0.1:12379"
                    + " | invalid value \"http://127.0.0.1\" for flag -listen-client-urls: URL address does not have the"
                    + " form \"host:port\": http://127.0.0.1",
            "--listen-client-urls http://127.0.0.1:12379/ --advertise-client-urls http://127.0.0.1:12379"
                    + " | invalid value \"http://127.0.0.1:12379/\" for flag -listen-client-urls: URL must not contain a"
                    + " path: http://127.0.0.1:12379/",
            "--listen-client-urls https://127.0.0.1:12379 --advertise-client-urls https://127.0.0.1:12379"
                    + " | TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:12379"
                    + " with HTTPS scheme",
    })
    void etcdsFlagsAreRefusedWithEtcdsOwnWords(String args, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(args.split(" "), Map.of()));
        assertEquals(message, e.getMessage());
    }

    /** Where etcd takes several URLs or a second URL per member and a MetaStore member has one address. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--listen-client-urls http://127.0.0.1:1,http://127.0.0.1:2 --advertise-client-urls http://127.0.0.1:1"
                    + " | --listen-client-urls: a MetaStore member serves one client address (gRPC and HTTP on one port),"
                    + " got 2: http://127.0.0.1:1,http://127.0.0.1:2",
            "--listen-peer-urls http://127.0.0.1:1,http://127.0.0.1:2"
                    + " | --listen-peer-urls: a MetaStore member listens for peers on one address, got 2:"
                    + " http://127.0.0.1:1,http://127.0.0.1:2",
            "--name a --initial-cluster a=http://127.0.0.1:1,a=http://127.0.0.1:2"
                    + " | --initial-cluster gives member a more than one peer URL; a MetaStore member has one",
            "--listen-client-urls unix://sock:1 --advertise-client-urls http://127.0.0.1:1"
                    + " | --listen-client-urls unix://sock:1: MetaStore listens on TCP only (http or https)",
            "--grpc-addr 127.0.0.1:1 --listen-client-urls http://127.0.0.1:1"
                    + " | --listen-client-urls and --grpc-addr name the same option: give one of them",
            "--name b --member-id 1 --initial-cluster a=http://127.0.0.1:1"
                    + " | --name b is not member 1 of --initial-cluster, which is named a",
    })
    void whatAMemberCannotServeIsRefusedNotDropped(String args, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(args.split(" "), Map.of()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void aBadValueFromTheEnvironmentOrAnEtcdFileIsNamedAsEtcdNamesIt() throws Exception {
        ConfigException env = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[0], Map.of("ETCD_INITIAL_CLUSTER_STATE", "bogus")));
        assertEquals("invalid value \"bogus\" for ETCD_INITIAL_CLUSTER_STATE: invalid value", env.getMessage());
        Path yaml = Files.writeString(dir.resolve("etcd.yml"), "initial-cluster-state: bogus\n");
        ConfigException file = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--config-file", yaml.toString()}, Map.of()));
        assertEquals("unexpected clusterState \"bogus\"", file.getMessage());
    }

    @Test
    void anEtcdConfigFileIsTheWholeConfigurationAsInEtcd() throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        Path key = Files.writeString(dir.resolve("k.pem"), "x");
        Path yaml = Files.writeString(dir.resolve("etcd.conf.yml"), String.join("\n",
                "name: 'infra1'",
                "data-dir: " + dir.resolve("infra1"),
                "snapshot-count: 10000",
                "heartbeat-interval: 100",
                "election-timeout: 1500",
                "listen-peer-urls: http://0.0.0.0:2380",
                "listen-client-urls: https://0.0.0.0:2379",
                "initial-advertise-peer-urls: http://10.0.1.11:2380",
                "advertise-client-urls: https://10.0.1.11:2379",
                "discovery:",
                "initial-cluster: infra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380",
                "initial-cluster-token: 'etcd-cluster'",
                "initial-cluster-state: 'new'",
                "client-transport-security:",
                "  cert-file: " + cert,
                "  key-file: " + key,
                "  client-cert-auth: false",
                "  trusted-ca-file:",
                "  auto-tls: false",
                "peer-transport-security:",
                "  cert-file:",
                "  key-file:",
                "log-level: debug",
                "logger: zap",
                ""));
        ConfigLoader.Run run = (ConfigLoader.Run) ConfigLoader.load(new String[] {"--config-file", yaml.toString(),
                "--name", "ignored"}, Map.of("ETCD_NAME", "ignored too", "ETCD_FOO", "not even warned of"));
        ServerConfig c = run.config();
        assertEquals("infra1", c.identity().name());
        assertEquals(2, c.memberId());
        assertEquals(1500, c.raft().electionTimeoutMs());
        assertEquals("0.0.0.0:2379", c.grpcAddress());
        assertEquals(cert, c.tls().certFile());
        assertEquals(List.of("https://10.0.1.11:2379"), c.identity().advertiseClientUrls());
        assertEquals("debug", c.log().level());
        assertEquals(List.of("Loading server configuration from \"" + yaml + "\". Other configuration command line flags"
                        + " and environment variables will be ignored if provided.",
                "warning: config file " + yaml + ": ignoring snapshot-count, heartbeat-interval, discovery, logger"
                        + " (no such MetaStore option)"), run.notices());
    }

    @Test
    void theClusterTokenIsMixedIntoTheDerivedIdsAndEtcdsDefaultKeepsThemAsTheyWere() {
        List<String> peers = List.of("127.0.0.1:1", "127.0.0.1:2");
        var before = io.metastore.server.raft.ClusterIdentity.of(peers, "127.0.0.1:1");
        assertEquals(before, io.metastore.server.raft.ClusterIdentity.of(peers, "etcd-cluster", "127.0.0.1:1"));
        assertTrue(before.clusterId() != io.metastore.server.raft.ClusterIdentity.of(peers, "etcd-cluster-1", "127.0.0.1:1")
                .clusterId());
    }

    @Test
    void versionIsItsOwnOutcome() {
        assertInstanceOf(ConfigLoader.Version.class, ConfigLoader.load(new String[] {"--version"}, Map.of()));
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
        ConfigLoader.Run run = (ConfigLoader.Run) ConfigLoader.load(new String[0], Map.of(
                "METASTORE_GRPC_ADR", "x", "METASTORE_NOSUCH", "1", "METASTORE_GRPC_ADDR", "127.0.0.1:1",
                "METASTORE_JAVA_OPTS", "-Xmx1g", "PATH", "/bin"));
        assertEquals(List.of("recognized and used environment variable METASTORE_GRPC_ADDR=127.0.0.1:1",
                "warning: unrecognized environment variable METASTORE_GRPC_ADR=x",
                "warning: unrecognized environment variable METASTORE_NOSUCH=1"), run.notices());
        assertEquals(1, run.config().grpcPort());
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
