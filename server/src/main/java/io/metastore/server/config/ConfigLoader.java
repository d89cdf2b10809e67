package io.metastore.server.config;

import io.metastore.engine.memory.MemoryEngine;
import io.metastore.mvcc.StoreOptions;
import io.metastore.server.lease.ExpiryTracker;
import io.metastore.server.propose.ProposalStrategy;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Resolves the server's configuration from its layers, each overriding the one before, in etcd
 * 3.4's order: option defaults, the {@code --tier} preset, the {@code --config} YAML file,
 * environment variables ({@code METASTORE_*}, and {@code ETCD_*} for the options etcd has), and
 * command-line flags. As etcd 3.4.23 does, a flag and a variable of the same option are refused
 * together (etcd's words: {@code conflicting environment variable "ETCD_NAME" is shadowed by
 * corresponding command-line flag ...}), and a {@code --config-file} (etcd's YAML file) is the
 * whole configuration: the other flags and the environment are then ignored. Every failure is a
 * {@link ConfigException} with a one-line message.
 */
public final class ConfigLoader {
    /** Highest {@code --max-request-bytes}: with gRPC's overhead added it must still fit an int. */
    static final int MAX_REQUEST_BYTES = Integer.MAX_VALUE - (1 << 20);
    /** The {@code METASTORE_*} variables of the {@code ./metastore} launcher, not of the server. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("METASTORE_JAVA_OPTS", "METASTORE_JAVA", "METASTORE_AOT");

    private ConfigLoader() {
    }

    /** What the command line asked for: a configuration to run, the help text or the version. */
    public sealed interface Outcome permits Run, Help, Version {
    }

    /**
     * A configuration to run, with what the operator should read before it starts (etcd's notes
     * on the environment and the config file), one line each.
     */
    public record Run(ServerConfig config, List<String> notices) implements Outcome {
        public Run {
            notices = List.copyOf(notices);
        }
    }

    public record Help(String text) implements Outcome {
    }

    /** {@code --version}: print the version and exit. */
    public record Version() implements Outcome {
    }

    /** How an option got its value: the name it was given under and from where. */
    record Source(String key, Kind kind, String where) {
        enum Kind { FLAG, ENV, FILE }

        /** An invalid value in etcd's words for its origin: {@code invalid value "V" for flag -KEY: WHY}. */
        ConfigException invalid(String value, String why) {
            return new ConfigException(switch (kind) {
                case FLAG -> "invalid value \"" + value + "\" for flag -" + key + ": " + why;
                case ENV -> "invalid value \"" + value + "\" for " + where + ": " + why;
                case FILE -> "config file " + where + ": " + key + ": " + why;
            });
        }
    }

    public static Outcome load(String[] args, Map<String, String> env) {
        Map<String, Source> sources = new LinkedHashMap<>();
        Map<String, String> flags = parseFlags(args, sources);
        if (Boolean.parseBoolean(flags.getOrDefault("help", "false"))) {
            return new Help(Options.help());
        }
        if (Boolean.parseBoolean(flags.getOrDefault("version", "false"))) {
            return new Version();
        }
        List<String> notices = new ArrayList<>();
        String configFile = flags.get("config-file");
        if (configFile == null) { // etcd reads this one variable first, to know whether the others count
            for (String name : Options.find("config-file").envNames()) {
                String v = env.get(name);
                if (v != null && !v.isEmpty()) {
                    configFile = v;
                }
            }
        }
        Map<String, String> explicit = new LinkedHashMap<>();
        boolean commandLine = configFile == null || configFile.isEmpty();
        if (!commandLine) {
            notices.add("Loading server configuration from \"" + configFile + "\". Other configuration command line"
                    + " flags and environment variables will be ignored if provided.");
            sources.clear();
            explicit.putAll(readYaml(Path.of(configFile), true, sources, notices));
        } else {
            Map<String, Source> envSources = new LinkedHashMap<>();
            Map<String, String> fromEnv = environment(env, flags.keySet(), envSources, notices);
            String layered = flags.getOrDefault("config", fromEnv.getOrDefault("config", ""));
            Map<String, Source> all = new LinkedHashMap<>();
            if (!layered.isEmpty()) {
                explicit.putAll(readYaml(Path.of(layered), false, all, notices));
            }
            explicit.putAll(fromEnv);
            all.putAll(envSources);
            explicit.putAll(flags);
            all.putAll(sources);
            sources = all;
        }
        Tier tier = parseTier(explicit.getOrDefault("tier", Options.defaults().get("tier")));
        Map<String, String> resolved = Options.defaults();
        resolved.putAll(tier.settings());
        resolved.putAll(explicit);
        return new Run(build(resolved, tier, sources, commandLine), notices);
    }

    /**
     * The options the environment sets, in etcd's way ({@code pkg/flags.SetFlagsFromEnv}): an empty
     * variable sets nothing, each used one is noted ({@code recognized and used environment variable
     * ETCD_DATA_DIR=d}), one that names no option is warned of, and one whose option is also given
     * as a flag is refused.
     */
    private static Map<String, String> environment(Map<String, String> env, Set<String> flagged,
                                                   Map<String, Source> sources, List<String> notices) {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> known = new java.util.HashSet<>(LAUNCHER_VARIABLES);
        for (Options.Option o : Options.ALL) {
            if (o.name().equals("help") || o.name().equals("version")) {
                continue; // actions, not settings (etcd, too, takes no ETCD_VERSION)
            }
            known.addAll(o.envNames());
            for (String name : o.envNames()) {
                String v = env.get(name);
                if (v == null) {
                    continue;
                }
                if (flagged.contains(o.name())) {
                    throw new ConfigException("conflicting environment variable \"" + name + "\" is shadowed by"
                            + " corresponding command-line flag (either unset environment variable or disable flag)");
                }
                if (v.isEmpty()) {
                    continue;
                }
                if (out.containsKey(o.name()) && !out.get(o.name()).equals(v)) {
                    throw new ConfigException("conflicting environment variables " + sources.get(o.name()).where()
                            + " and " + name + " set option " + o.name() + " to different values");
                }
                out.put(o.name(), v);
                String key = name.startsWith("ETCD_") ? o.etcdName()
                        : o.aliases().stream().filter(a -> Options.envName(a).equals(name)).findFirst().orElse(o.name());
                sources.put(o.name(), new Source(key, Source.Kind.ENV, name));
                notices.add("recognized and used environment variable " + name + "=" + v);
            }
        }
        env.entrySet().stream()
                .filter(e -> (e.getKey().startsWith("ETCD_") || e.getKey().startsWith("METASTORE_")) && !known.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> notices.add("warning: unrecognized environment variable " + e.getKey() + "=" + e.getValue()));
        return out;
    }

    /**
     * Parses {@code --name value}, {@code --name=value} and bare {@code --flag}, with one dash too as
     * Go's flag package takes them ({@code -name value}); an alias is stored under its option's name.
     */
    static Map<String, String> parseFlags(String[] args, Map<String, Source> sources) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("-") || a.equals("--") || a.equals("---")) {
                throw new ConfigException("unexpected argument '" + a + "' (see --help)");
            }
            String name = a.substring(a.startsWith("--") ? 2 : 1);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Options.Option o = Options.find(name);
            if (o == null) {
                throw new ConfigException("unknown flag --" + name + " (see --help)");
            }
            if (value == null) {
                if (o.flag() && (i + 1 >= args.length || args[i + 1].startsWith("-"))) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new ConfigException("flag --" + name + " needs a value");
                }
            }
            Source before = sources.get(o.name());
            if (before != null && !before.key().equals(name)) {
                throw new ConfigException("--" + name + " and --" + before.key() + " name the same option: give one of them");
            }
            out.put(o.name(), value);
            sources.put(o.name(), new Source(name, Source.Kind.FLAG, "--" + name));
        }
        return out;
    }

    /**
     * Reads a YAML file of options. MetaStore's {@code --config} file takes option names only and
     * refuses any other key. etcd's {@code --config-file} takes etcd's keys, its nested
     * {@code client-transport-security} and {@code peer-transport-security} among them, and
     * MetaStore's option names; as etcd ignores keys it does not know, the keys of etcd features
     * MetaStore lacks ({@code snapshot-count}, {@code heartbeat-interval}, ...) are ignored, with
     * one warning naming them.
     */
    private static Map<String, String> readYaml(Path file, boolean etcd, Map<String, Source> sources, List<String> notices) {
        Object doc;
        try (Reader r = Files.newBufferedReader(file)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null ? fs.getReason()
                    : e.getClass().getSimpleName() + " " + e.getMessage();
            throw new ConfigException("cannot read config file " + file + ": " + why);
        } catch (RuntimeException e) {
            throw new ConfigException("config file " + file + " is not valid YAML: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new ConfigException("config file " + file + " must be a mapping of option names to values");
        }
        Map<String, String> out = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (etcd && (key.equals("client-transport-security") || key.equals("peer-transport-security"))) {
                String prefix = key.startsWith("peer") ? "peer-" : "";
                if (e.getValue() instanceof Map<?, ?> tls) {
                    for (Map.Entry<?, ?> t : tls.entrySet()) {
                        String inner = String.valueOf(t.getKey());
                        if (inner.equals("auto-tls")) {
                            if (Boolean.parseBoolean(String.valueOf(t.getValue()))) {
                                throw new ConfigException("config file " + file + ": " + key + ": auto-tls is not"
                                        + " supported; give cert-file and key-file");
                            }
                        } else if (Set.of("cert-file", "key-file", "trusted-ca-file", "client-cert-auth").contains(inner)) {
                            putYaml(out, sources, file, prefix + inner, key + "." + inner, t.getValue(), true);
                        } else {
                            ignored.add(key + "." + inner);
                        }
                    }
                } else if (e.getValue() != null) {
                    throw new ConfigException("config file " + file + ": " + key + " must be a mapping");
                }
                continue;
            }
            Options.Option o = Options.find(key);
            if (o == null || Set.of("config", "config-file", "help", "version").contains(o.name())) {
                if (etcd) {
                    ignored.add(key);
                    continue;
                }
                throw new ConfigException("unknown option '" + key + "' in config file " + file);
            }
            putYaml(out, sources, file, o.name(), key, e.getValue(), etcd);
        }
        if (!ignored.isEmpty()) {
            notices.add("warning: config file " + file + ": ignoring " + String.join(", ", ignored)
                    + " (no such MetaStore option)");
        }
        return out;
    }

    private static void putYaml(Map<String, String> out, Map<String, Source> sources, Path file, String option, String key,
                                Object v, boolean emptyIsUnset) {
        String value;
        if (v instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(x -> parts.add(String.valueOf(x)));
            value = String.join(",", parts);
        } else {
            value = v == null ? "" : String.valueOf(v);
        }
        if (emptyIsUnset && value.isEmpty()) {
            return; // etcd's sample file lists every key, many of them empty: an empty one leaves the default
        }
        Source before = sources.get(option);
        if (before != null && !before.key().equals(key)) {
            throw new ConfigException("config file " + file + ": " + key + " and " + before.key()
                    + " name the same option: give one of them");
        }
        out.put(option, value);
        sources.put(option, new Source(key, Source.Kind.FILE, file.toString()));
    }

    private static ServerConfig build(Map<String, String> o, Tier tier, Map<String, Source> sources, boolean commandLine) {
        ServerConfig.Tls clientTls = tls(o);
        ClusterFlags.Member member = ClusterFlags.resolve(o, sources, commandLine, clientTls.enabled(),
                tls(o, "peer-").enabled());
        String dataDir = o.get("data-dir");
        if (dataDir.isBlank()) {
            throw new ConfigException("--data-dir is empty");
        }
        StoreOptions store = StoreOptions.defaults()
                .withEncoding(choice(o, "kv-encoding", StoreOptions.Encoding.class))
                .withPooledBuffers(bool(o, "pooled-buffers"))
                .withCachedRevision(bool(o, "cached-revision"))
                .withBatchedWrites(bool(o, "batched-writes"))
                .withOnDemandPrevious(bool(o, "on-demand-prev-kv"));
        ProposalStrategy strategy;
        try {
            strategy = ProposalStrategy.parse(o.get("proposal-strategy"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--proposal-strategy: " + e.getMessage());
        }
        String codec = o.get("codec").toLowerCase(Locale.ROOT);
        if (!Set.of("json", "kryo", "protobuf").contains(codec)) {
            throw new ConfigException("--codec must be json, kryo or protobuf, got '" + o.get("codec") + "'");
        }
        int disruptor = intOption(o, "raft-disruptor-buffer", 2, 1 << 24);
        if (Integer.bitCount(disruptor) != 1) {
            throw new ConfigException("--raft-disruptor-buffer must be a power of two, got " + disruptor);
        }
        ServerConfig.RaftSettings raft = new ServerConfig.RaftSettings(
                intOption(o, "raft-apply-batch", 1, 1 << 20), disruptor, bool(o, "raft-sync"),
                intOption(o, "election-timeout-ms", 100, 600_000),
                intOption(o, "snapshot-interval-secs", 0, Integer.MAX_VALUE),
                intOption(o, "snapshot-log-index-margin", 0, Integer.MAX_VALUE),
                choice(o, "follower-commit", ServerConfig.FollowerCommit.class), bool(o, "raft-shared-timers"),
                bool(o, "commit-push"), intOption(o, "forward-batch", 1, 1 << 16),
                intOption(o, "raft-timer-tick-ms", 1, 1000));
        return new ServerConfig(member.index() + 1, member.peers(), member.clientHost(), member.clientPort(),
                intOption(o, "port", 0, 65535), clientTls,
                choice(o, "storage", ServerConfig.Storage.class), Path.of(dataDir), member.join(), tier, codec,
                strategy, intOption(o, "proposal-wait-ms", 0, 3_600_000),
                choice(o, "memory-locking", MemoryEngine.Locking.class), store,
                choice(o, "lease-expiry", ExpiryTracker.Kind.class), choice(o, "grpc-executor", ServerConfig.GrpcExecutor.class),
                quotaBytes(o), authToken(o), limits(o), log(o), raft, peer(o),
                new ServerConfig.Identity(member.name(), member.token(), member.advertiseClientUrls(), member.peerListen()));
    }

    /** etcd's client TLS flags; whether the files hold usable PEM is checked when the server builds its contexts. */
    private static ServerConfig.Tls tls(Map<String, String> o) {
        return tls(o, "");
    }

    /** etcd's peer TLS flags and the peer transport, which must be able to carry them. */
    private static ServerConfig.Peer peer(Map<String, String> o) {
        ServerConfig.Peer peer = new ServerConfig.Peer(choice(o, "peer-transport", ServerConfig.Peer.Transport.class),
                tls(o, "peer-"), intOption(o, "peer-io-threads", 0, 64), bool(o, "peer-stream"),
                bool(o, "peer-append-on-transport"));
        if (peer.transport() == ServerConfig.Peer.Transport.BOLT && peer.tls().enabled()) {
            throw new ConfigException("--peer-transport bolt has no TLS: drop --peer-cert-file or use --peer-transport grpc");
        }
        return peer;
    }

    /** The TLS flags named with {@code prefix} ("" for clients, "peer-" between members). */
    private static ServerConfig.Tls tls(Map<String, String> o, String prefix) {
        Path cert = readableFile(o, prefix + "cert-file");
        Path key = readableFile(o, prefix + "key-file");
        Path ca = readableFile(o, prefix + "trusted-ca-file");
        boolean clientCertAuth = bool(o, prefix + "client-cert-auth");
        if ((cert == null) != (key == null)) {
            throw new ConfigException("--" + prefix + "cert-file and --" + prefix + "key-file must be given together");
        }
        boolean selfSigned = false;
        if (cert == null && bool(o, prefix + "auto-tls")) {
            // etcd's SelfCert: <data-dir>/fixtures/{client,peer}/{cert,key}.pem, generated at start-up unless both exist;
            // with certificate files given the flag is ignored, as etcd ignores it
            Path fixtures = Path.of(o.get("data-dir")).resolve("fixtures").resolve(prefix.isEmpty() ? "client" : "peer");
            cert = fixtures.resolve("cert.pem");
            key = fixtures.resolve("key.pem");
            selfSigned = true;
        }
        if (cert == null && (ca != null || clientCertAuth)) {
            throw new ConfigException("--" + prefix + (clientCertAuth ? "client-cert-auth" : "trusted-ca-file")
                    + " needs --" + prefix + "cert-file and --" + prefix + "key-file");
        }
        String allowedCn = prefix.isEmpty() ? null : text(o, prefix + "cert-allowed-cn");
        String allowedHostname = text(o, (prefix.isEmpty() ? "client-" : prefix) + "cert-allowed-hostname");
        if (selfSigned) {
            // etcd 3.4.23 replaces the whole TLS info with the self-signed one: the CA file, client-cert-auth and the
            // allowed names no longer apply (its start-up line then says "client-cert-auth = false"); so here
            ca = null;
            clientCertAuth = false;
            allowedCn = null;
            allowedHostname = null;
        }
        if (allowedCn != null && allowedHostname != null) {
            // etcd 3.4.23's words (TLSInfo.baseConfig), with which it refuses to start
            throw new ConfigException("AllowedCN and AllowedHostname are mutually exclusive (cn=\"" + allowedCn
                    + "\", hostname=\"" + allowedHostname + "\")");
        }
        if (cert == null && (allowedCn != null || allowedHostname != null)) {
            throw new ConfigException("--" + (allowedCn != null ? prefix + "cert-allowed-cn"
                    : (prefix.isEmpty() ? "client-" : prefix) + "cert-allowed-hostname")
                    + " needs --" + prefix + "cert-file and --" + prefix + "key-file");
        }
        return new ServerConfig.Tls(cert, key, ca, clientCertAuth, allowedCn, allowedHostname, selfSigned);
    }

    /** An option's text, or {@code null} when it is empty. */
    private static String text(Map<String, String> o, String name) {
        String v = o.get(name).trim();
        return v.isEmpty() ? null : v;
    }

    /** The file an option names, or {@code null} when it is empty. */
    private static Path readableFile(Map<String, String> o, String name) {
        String v = o.get(name).trim();
        if (v.isEmpty()) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new ConfigException("--" + name + ": cannot read " + v);
        }
        return p;
    }

    private static ServerConfig.Log log(Map<String, String> o) {
        String format = o.get("log-format").trim().toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            throw new ConfigException("--log-format must be text or json, got '" + o.get("log-format") + "'");
        }
        String level = o.get("log-level").trim().toLowerCase(Locale.ROOT);
        if (!Set.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw new ConfigException("--log-level must be error, warn, info, debug or trace, got '" + o.get("log-level") + "'");
        }
        return new ServerConfig.Log(format.equals("json"), level);
    }

    private static ServerConfig.Limits limits(Map<String, String> o) {
        return new ServerConfig.Limits(intOption(o, "max-request-bytes", 1, MAX_REQUEST_BYTES),
                intOption(o, "max-concurrent-streams", 0, Integer.MAX_VALUE),
                intOption(o, "max-watchers", 1, Integer.MAX_VALUE),
                intOption(o, "max-leases", 0, Integer.MAX_VALUE),
                intOption(o, "max-requests-per-second", 0, Integer.MAX_VALUE),
                intOption(o, "http-request-timeout-ms", 0, Integer.MAX_VALUE));
    }

    private static String authToken(Map<String, String> o) {
        String v = o.get("auth-token").trim();
        if (!v.equals("simple") && !v.startsWith("jwt")) {
            throw new ConfigException("--auth-token must be simple or jwt,sign-method=...,priv-key=FILE, got '" + v + "'");
        }
        return v;
    }

    /** etcd's rule: 0 takes the default quota of 2 GiB, a negative value turns the quota off. */
    private static long quotaBytes(Map<String, String> o) {
        String v = o.get("quota-backend-bytes").trim();
        try {
            long n = Long.parseLong(v);
            return n == 0 ? 2L << 30 : n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            throw new ConfigException("--quota-backend-bytes must be a number, got '" + v + "'");
        }
    }

    private static Tier parseTier(String v) {
        for (Tier t : Tier.values()) {
            if (t.flagValue().equals(v.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new ConfigException("--tier must be baseline, tier1, tier2 or tier3, got '" + v + "'");
    }

    /** {@code host:port} of an address given as {@code host:port} or as a URL ({@code http://host:port/}). */
    public static String stripScheme(String s) {
        int i = s.indexOf("://");
        String rest = i >= 0 ? s.substring(i + 3) : s;
        return rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
    }

    static String hostPort(String option, String v) {
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException("--" + option + ": '" + v + "' is not host:port");
        }
        try {
            int port = Integer.parseInt(v.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + option + ": '" + v + "' has no valid port");
        }
        return v;
    }

    static int intOption(Map<String, String> o, String name, int min, int max) {
        String v = o.get(name).trim();
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new ConfigException("--" + name + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    static boolean bool(Map<String, String> o, String name) {
        String v = o.get(name).trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException("--" + name + " must be true or false, got '" + o.get(name) + "'");
        };
    }

    private static <E extends Enum<E>> E choice(Map<String, String> o, String name, Class<E> type) {
        String v = o.get(name).trim();
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigException("--" + name + " must be one of " + String.join(", ", names) + ", got '" + v + "'");
    }
}
