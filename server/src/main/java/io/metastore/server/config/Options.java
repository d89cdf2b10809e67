package io.metastore.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every option the server takes, with its default and help text: the one table that the flag
 * parser, the config file reader, the environment reader and {@code --help} all use. An option
 * {@code grpc-addr} is the flag {@code --grpc-addr}, the YAML key {@code grpc-addr} and the
 * environment variable {@code METASTORE_GRPC_ADDR}.
 */
public final class Options {
    private Options() {
    }

    /**
     * One option; {@code flag} options may be given without a value, meaning {@code true}.
     *
     * @param aliases  other names of the option (MetaStore's names from before it took etcd's), as flags, YAML
     *                 keys and {@code METASTORE_*} variables
     * @param etcdName the name etcd 3.4 gives the option, whose {@code ETCD_*} variable it also reads, or
     *                 {@code null} for MetaStore's own options
     */
    public record Option(String name, String defaultValue, String valueHint, String help, boolean flag,
                         List<String> aliases, String etcdName) {
        public Option {
            aliases = List.copyOf(aliases);
        }

        Option(String name, String defaultValue, String valueHint, String help, boolean flag) {
            this(name, defaultValue, valueHint, help, flag, List.of(), null);
        }

        /** The same option, which etcd 3.4 has under the same name. */
        Option etcd() {
            return new Option(name, defaultValue, valueHint, help, flag, aliases, name);
        }

        Option etcd(String etcdName) {
            return new Option(name, defaultValue, valueHint, help, flag, aliases, etcdName);
        }

        Option alias(String... names) {
            return new Option(name, defaultValue, valueHint, help, flag, List.of(names), etcdName);
        }

        /** The environment variables of this option: {@code METASTORE_*} for each name, then {@code ETCD_*}. */
        public List<String> envNames() {
            List<String> out = new java.util.ArrayList<>();
            out.add(envName(name));
            aliases.forEach(a -> out.add(envName(a)));
            if (etcdName != null) {
                out.add("ETCD_" + etcdName.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            }
            return out;
        }
    }

    public static final List<Option> ALL = List.of(
            new Option("name", "default", "NAME",
                    "human-readable name of this member (member list shows it); its entry in --initial-cluster is this"
                            + " member's", false).etcd(),
            new Option("member-id", "", "N",
                    "instead of --name: this member is the Nth of --initial-cluster, from 1 (named member-N when the"
                            + " entries have no names)", false),
            new Option("initial-cluster", "", "NAME=URL,...",
                    "the initial cluster's members as name=peer URL (one URL each); default: --name=--initial-advertise-peer-urls."
                            + " Alias --cluster: peer addresses without names (host:port or http://host:port)", false)
                    .etcd().alias("cluster"),
            new Option("initial-advertise-peer-urls", "http://127.0.0.1:2380", "URL",
                    "this member's peer URL, as the other members reach it; must be its entry of --initial-cluster"
                            + " (default: that entry, or http://127.0.0.1:2380 without --initial-cluster)", false).etcd(),
            new Option("listen-peer-urls", "", "URL",
                    "the one URL the Raft peer port listens on (0.0.0.0: every interface); default: this member's peer URL", false)
                    .etcd(),
            new Option("listen-client-urls", "http://127.0.0.1:2379", "URL",
                    "the one URL of the etcd gRPC API; the same port answers HTTP/1.1 (health, version, metrics, JSON"
                            + " gateway). Alias --grpc-addr HOST:PORT", false).etcd().alias("grpc-addr"),
            new Option("advertise-client-urls", "", "URLS",
                    "client URLs this member advertises (member list); required with --listen-client-urls, as in etcd;"
                            + " default: the listen URL with the port bound", false).etcd(),
            new Option("initial-cluster-state", "new", "new|existing",
                    "new: bootstrap --initial-cluster; existing: join a running cluster (after member add), fetching its id"
                            + " from the other members", false).etcd(),
            new Option("join", "false", "", "alias of --initial-cluster-state existing", true),
            new Option("initial-cluster-token", "etcd-cluster", "TOKEN",
                    "mixed into the derived cluster and member ids, so clusters bootstrapped on the same peer URLs differ", false)
                    .etcd(),
            new Option("port", "9121", "PORT",
                    "port (on the --listen-client-urls host) of the plain HTTP key-value and membership API; 0: off", false),
            new Option("cert-file", "", "FILE",
                    "PEM certificate of the client port; with --key-file, the client port serves only TLS (gRPC and"
                            + " HTTP/1.1) and --port HTTPS", false).etcd(),
            new Option("key-file", "", "FILE", "PEM private key of --cert-file (PKCS#8, PKCS#1 or SEC1; unencrypted)", false).etcd(),
            new Option("trusted-ca-file", "", "FILE",
                    "PEM CA certificates that sign client certificates; as in etcd 3.4, setting it requires them", false).etcd(),
            new Option("client-cert-auth", "false", "",
                    "require a client certificate signed by --trusted-ca-file (or the JDK's trust store without it)", true).etcd(),
            new Option("client-cert-allowed-hostname", "", "NAME",
                    "accept only client certificates whose SAN DNS names or IP addresses match NAME", false).etcd(),
            new Option("auto-tls", "false", "",
                    "without --cert-file and --key-file, serve clients TLS with a self-signed certificate generated into"
                            + " <data-dir>/fixtures/client", true).etcd(),
            new Option("peer-cert-file", "", "FILE",
                    "PEM certificate of this member on the Raft peer port; with --peer-key-file, members talk only mutual"
                            + " TLS (needs --peer-transport grpc)", false).etcd(),
            new Option("peer-key-file", "", "FILE", "PEM private key of --peer-cert-file", false).etcd(),
            new Option("peer-trusted-ca-file", "", "FILE",
                    "PEM CA certificates that sign member certificates; setting it requires them from every caller", false).etcd(),
            new Option("peer-client-cert-auth", "false", "",
                    "require a member certificate from every caller of the peer port (signed by --peer-trusted-ca-file)", true).etcd(),
            new Option("peer-cert-allowed-cn", "", "NAME",
                    "accept only member certificates whose Common Name is NAME (on both ends of a peer connection)", false).etcd(),
            new Option("peer-cert-allowed-hostname", "", "NAME",
                    "accept only member certificates whose SAN DNS names or IP addresses match NAME", false).etcd(),
            new Option("peer-auto-tls", "false", "",
                    "without --peer-cert-file and --peer-key-file, members talk TLS with self-signed certificates generated"
                            + " into <data-dir>/fixtures/peer, which they do not verify", true).etcd(),
            new Option("peer-transport", "grpc", "grpc|bolt",
                    "jraft's transport on the peer port: grpc (own address, TLS-capable) or bolt (every interface, no TLS)", false),
            new Option("peer-io-threads", "0", "N",
                    "event-loop threads that carry only traffic between members (grpc transport); 0: share gRPC's"
                            + " default event loops with the client port's calls", false),
            new Option("peer-stream", "true", "true|false",
                    "requests to a connected member as frames of one long-lived stream (grpc transport), not a unary"
                            + " call each", false),
            new Option("peer-append-on-transport", "false", "true|false",
                    "handle AppendEntries and heartbeats on the transport thread that read them (grpc transport), not on"
                            + " jraft's executor for the leader", false),
            new Option("storage", "rocksdb", "memory|rocksdb", "storage engine for the key-value data", false),
            new Option("data-dir", "./data", "DIR", "directory for the engine's data, the Raft log and snapshots", false).etcd(),
            new Option("config-file", "", "FILE",
                    "etcd's YAML configuration file (etcd's keys, MetaStore's options too); as in etcd, the other flags"
                            + " and the environment are then ignored", false).etcd(),
            new Option("config", "", "FILE",
                    "MetaStore's YAML file of options (keys are option names), layered: the environment and flags override it", false),
            new Option("tier", "tier3", "baseline|tier1|tier2|tier3",
                    "preset of the optimisation switches below; explicit options win", false),
            new Option("codec", null, "json|kryo|protobuf", "Raft entry codec (any node reads every codec's entries)", false),
            new Option("proposal-strategy", null, "unbuffered|buffered[:N]|batched[:maxOps[:maxDelayMicros[:adaptive]]]",
                    "how commands are handed to Raft", false),
            new Option("proposal-wait-ms", "1000", "MS",
                    "how long a request waits for room in a full proposal queue before 'too many requests'", false),
            new Option("memory-locking", null, "global|sharded", "locking of the memory engine", false),
            new Option("kv-encoding", null, "generic|binary", "how the store encodes a stored key-value record", false),
            new Option("pooled-buffers", null, "true|false", "reuse encoding buffers in the store", false),
            new Option("cached-revision", null, "true|false", "keep the current revision in memory, not only in the engine", false),
            new Option("batched-writes", null, "true|false", "write each transaction as one engine batch", false),
            new Option("on-demand-prev-kv", "false", "true|false",
                    "a put or delete reads the key's previous version only when the request asks for prev_kv (a watcher"
                            + " with prev_kv reads it at mod_revision - 1, as etcd's watch does), not on every write", false),
            new Option("lease-expiry", null, "scan|queue",
                    "how the leader finds expired leases: full scan each tick, or a deadline queue", false),
            new Option("grpc-executor", null, "pool|leader|direct",
                    "where KV calls run: gRPC's thread pool; directly on the transport threads while this member leads;"
                            + " or directly on every member (followers too, over the grpc peer transport)", false),
            new Option("quota-backend-bytes", "0", "BYTES",
                    "space quota of the store; over it a NOSPACE alarm refuses writes (0: 2 GiB, negative: none)", false).etcd(),
            new Option("auth-token", "simple", "simple|jwt,sign-method=HS256,priv-key=FILE[,ttl=5m]",
                    "auth tokens: simple (issued through the log) or signed JWT with a shared HMAC secret", false).etcd(),
            new Option("max-request-bytes", "1572864", "BYTES",
                    "largest request accepted for Raft ('request is too large' above it); gRPC messages may be 512 KiB larger", false).etcd(),
            new Option("http-request-timeout-ms", "30000", "MS",
                    "an HTTP/1.1 connection (client port or --port) whose request has not arrived whole this long"
                            + " after the connection opened or the previous answer is closed (0: never)", false),
            new Option("max-concurrent-streams", "0", "N", "concurrent gRPC calls per client connection (0: no limit)", false).etcd(),
            new Option("max-watchers", "100000", "N", "watchers this member serves; a create beyond it is canceled"
                    + " with 'too many requests'", false),
            new Option("max-leases", "0", "N", "leases the cluster holds; a grant beyond it fails with 'too many requests'"
                    + " (0: no limit)", false),
            new Option("max-requests-per-second", "0", "N",
                    "calls accepted per second, bursts of up to one second's worth; the excess fails at once with"
                            + " 'too many requests' (0: no limit)", false),
            new Option("log-format", "text", "text|json", "log lines as text, or as one JSON object per line (on stderr)", false),
            new Option("log-level", "info", "error|warn|info|debug|trace",
                    "level of MetaStore's own loggers; libraries log at warn, or at this level when it is stricter", false).etcd(),
            new Option("raft-apply-batch", "32", "N", "jraft: most tasks applied to the state machine at once", false),
            new Option("raft-disruptor-buffer", "16384", "N", "jraft: size of the apply queue (a power of two)", false),
            new Option("raft-sync", "true", "true|false", "jraft: fsync the Raft log and metadata", false),
            new Option("election-timeout-ms", "1000", "MS", "jraft: election timeout (etcd's --election-timeout, also in ms)", false)
                    .alias("election-timeout").etcd("election-timeout"),
            new Option("snapshot-interval-secs", "3600", "S",
                    "jraft: seconds between Raft snapshots (0: never); each truncates the log up to the snapshot before it", false),
            new Option("snapshot-log-index-margin", "0", "N",
                    "jraft: a snapshot is skipped while fewer than N entries were applied since the last one", false),
            new Option("follower-commit", "answer", "heartbeat|answer",
                    "how a follower learns a write it forwarded is committed: from the leader's next heartbeat or"
                            + " AppendEntries only, or also from the leader's answer", false),
            new Option("raft-shared-timers", "true", "true|false",
                    "jraft: election, vote, step-down and snapshot timers on shared scheduled pools instead of one"
                            + " thread each ticking every millisecond", false),
            new Option("raft-timer-tick-ms", "10", "MS",
                    "jraft: the tick of its hashed-wheel timers (the ReadIndex timeout scanner, and each node's timers"
                            + " when not shared), whose thread wakes every tick; jraft's own is 1. One per process: the"
                            + " first member started in a process sets it", false),
            new Option("commit-push", "false", "true|false",
                    "the leader sends the new commit index to the followers right after applying (a heartbeat round)"
                            + " instead of with the next AppendEntries or heartbeat", false),
            new Option("forward-batch", "256", "N",
                    "a follower sends the leader at most N forwarded requests in one message; requests that arrive"
                            + " while earlier messages are unanswered wait and go together (1: a message per request)", false),
            new Option("version", "false", "", "print the version and exit", true).etcd(),
            new Option("help", "false", "", "print this help and exit", true));

    /** The option named {@code name}, or that has it as an alias; {@code null} when none. */
    public static Option find(String name) {
        for (Option o : ALL) {
            if (o.name().equals(name) || o.aliases().contains(name)) {
                return o;
            }
        }
        return null;
    }

    /** The defaults: every option's default, with the default tier's switches. */
    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        for (Option o : ALL) {
            if (o.defaultValue() != null) {
                d.put(o.name(), o.defaultValue());
            }
        }
        return d;
    }

    /** Environment variable name for an option: {@code grpc-addr} is {@code METASTORE_GRPC_ADDR}. */
    static String envName(String option) {
        return "METASTORE_" + option.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    public static String help() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: metastore [options]\n\n");
        b.append("An etcd v3 compatible key-value server. Precedence, as etcd's: defaults < --tier < --config file <\n");
        b.append("environment variables (METASTORE_* or ETCD_*) < flags; a flag and a variable for the same option are\n");
        b.append("refused together, as etcd 3.4 refuses them. With --config-file (etcd's YAML file) only the file counts.\n");
        b.append("\nOptions:\n");
        for (Option o : ALL) {
            String left = "  --" + o.name() + (o.valueHint().isEmpty() ? "" : " " + o.valueHint());
            for (String a : o.aliases()) {
                left += ", --" + a;
            }
            b.append(left).append('\n').append("      ").append(o.help());
            if (o.help().contains("default: ")) {
                // the help says what the default is derived from
            } else if (o.defaultValue() != null && !o.flag()) {
                b.append(" (default: ").append(o.defaultValue().isEmpty() ? "none" : o.defaultValue()).append(')');
            } else if (o.defaultValue() == null) {
                b.append(" (default: set by --tier)");
            }
            b.append('\n');
        }
        b.append("\nTiers:\n");
        for (Tier t : Tier.values()) {
            b.append("  ").append(t.flagValue()).append(": ").append(t.settings()).append('\n');
        }
        return b.toString();
    }
}
