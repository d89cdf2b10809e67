package io.metastore.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * etcd's cluster flags resolved into this member's place: which entry of {@code --initial-cluster}
 * it is, its name, the one address it listens on for clients and for peers, and what it
 * advertises. etcd's checks come with etcd 3.4.23's own messages (a {@code --name} missing from
 * {@code --initial-cluster}, an advertised peer URL that is not the member's entry, a listen URL
 * without an advertise URL); where etcd takes several URLs and a MetaStore member has one
 * address, more than one is refused, never silently dropped.
 *
 * <p>The old names stay: {@code --cluster host:port,...} (alias of {@code --initial-cluster},
 * entries without names) with {@code --member-id N} (the Nth entry, named {@code member-N}), and
 * {@code --grpc-addr host:port} (alias of {@code --listen-client-urls}; advertised as it listens).
 * Worked example, etcd's way: {@code --name m2 --initial-cluster
 * m1=http://10.0.0.1:2380,m2=http://10.0.0.2:2380} makes this member entry 2, peer
 * {@code 10.0.0.2:2380}; {@code --initial-advertise-peer-urls http://10.0.0.9:2380} would be
 * refused, as etcd refuses it.
 */
final class ClusterFlags {
    private ClusterFlags() {
    }

    /**
     * This member's place in the cluster.
     *
     * @param index               0-based entry of the initial cluster
     * @param peers               every entry's peer address, {@code host:port}
     * @param advertiseClientUrls the client URLs to advertise; empty: the listen URL with the port bound
     * @param peerListen          where the peer port binds, {@code host:port}
     */
    record Member(int index, String name, List<String> peers, String clientHost, int clientPort,
                  List<String> advertiseClientUrls, String peerListen, boolean join, String token) {
    }

    private record Entry(String name, String url, String address) {
    }

    static Member resolve(Map<String, String> o, Map<String, ConfigLoader.Source> sources, boolean commandLine,
                          boolean clientTls, boolean peerTls) {
        // --- clients
        ConfigLoader.Source listenSource = sources.get("listen-client-urls");
        boolean etcdListen = listenSource == null || !listenSource.key().equals("grpc-addr");
        String client;
        if (etcdListen) {
            List<EtcdUrl> urls = EtcdUrl.parseAll(o.get("listen-client-urls"), "listen-client-urls", sources);
            if (urls.size() != 1) {
                throw new ConfigException("--listen-client-urls: a MetaStore member serves one client address (gRPC and"
                        + " HTTP on one port), got " + urls.size() + ": " + o.get("listen-client-urls"));
            }
            EtcdUrl u = urls.get(0);
            tcpOnly(u, "listen-client-urls");
            if (u.secure() && !clientTls) {
                throw new ConfigException("TLS key/cert (--cert-file, --key-file) must be provided for client url "
                        + u.text() + " with HTTPS scheme");
            }
            if (!u.secure() && clientTls && listenSource != null) {
                throw new ConfigException("--listen-client-urls " + u.text() + ": with --cert-file and --key-file the"
                        + " client port serves only TLS; give an https URL");
            }
            client = u.address();
        } else {
            client = ConfigLoader.hostPort("grpc-addr", ConfigLoader.stripScheme(o.get("listen-client-urls").trim()));
        }
        List<String> advertise = new ArrayList<>();
        if (sources.containsKey("advertise-client-urls")) {
            for (EtcdUrl u : EtcdUrl.parseAll(o.get("advertise-client-urls"), "advertise-client-urls", sources)) {
                advertise.add(u.text());
            }
            advertise.sort(null); // etcd sorts its URLs (types.NewURLs)
        } else if (commandLine && listenSource != null && etcdListen) {
            throw new ConfigException("--advertise-client-urls is required when --listen-client-urls is set explicitly");
        }

        // --- the initial cluster and this member's entry
        ConfigLoader.Source clusterSource = sources.get("initial-cluster");
        boolean oldCluster = clusterSource != null && clusterSource.key().equals("cluster");
        String name = o.get("name").trim();
        List<Entry> entries = new ArrayList<>();
        if (o.get("initial-cluster").isBlank()) {
            // etcd's InitialClusterFromName: --name with each advertised peer URL
            for (EtcdUrl u : EtcdUrl.parseAll(o.get("initial-advertise-peer-urls"), "initial-advertise-peer-urls", sources)) {
                entries.add(new Entry(name, u.text(), u.address()));
            }
        } else if (oldCluster) {
            for (String p : o.get("initial-cluster").split(",")) {
                if (!p.isBlank()) {
                    String address = ConfigLoader.hostPort("cluster", ConfigLoader.stripScheme(p.trim()));
                    entries.add(new Entry(null, "http://" + address, address));
                }
            }
            if (entries.isEmpty()) {
                throw new ConfigException("--cluster names no peers");
            }
        } else {
            for (String p : o.get("initial-cluster").split(",")) {
                int eq = p.indexOf('=');
                String n = eq < 0 ? p.trim() : p.substring(0, eq).trim();
                String url = eq < 0 ? "" : p.substring(eq + 1).trim();
                EtcdUrl u;
                try {
                    u = EtcdUrl.parse(url);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("error setting up initial cluster: " + e.getMessage());
                }
                tcpOnly(u, "initial-cluster");
                if (entries.stream().anyMatch(x -> x.name().equals(n))) {
                    throw new ConfigException("--initial-cluster gives member " + n + " more than one peer URL; a MetaStore"
                            + " member has one");
                }
                entries.add(new Entry(n, u.text(), u.address()));
            }
        }
        List<String> peers = new ArrayList<>();
        for (Entry e : entries) {
            if (peers.contains(e.address())) {
                throw new ConfigException("--initial-cluster lists peer " + e.address() + " twice");
            }
            peers.add(e.address());
        }
        boolean unnamed = entries.get(0).name() == null;
        int index;
        if (sources.containsKey("member-id")) {
            index = ConfigLoader.intOption(o, "member-id", 1, Integer.MAX_VALUE) - 1;
            if (index >= entries.size()) {
                throw new ConfigException("--member-id " + (index + 1) + " is outside --cluster, which has "
                        + entries.size() + " peer(s)");
            }
            String entryName = entries.get(index).name();
            if (entryName != null && sources.containsKey("name") && !entryName.equals(name)) {
                throw new ConfigException("--name " + name + " is not member " + (index + 1) + " of --initial-cluster,"
                        + " which is named " + entryName);
            }
        } else if (unnamed) {
            index = 0;
        } else {
            index = -1;
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).name().equals(name)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new ConfigException("couldn't find local name \"" + name + "\" in the initial cluster configuration");
            }
        }
        Entry self = entries.get(index);
        String memberName = self.name() != null ? self.name() : sources.containsKey("name") ? name : "member-" + (index + 1);
        if (memberName.isEmpty()) {
            throw new ConfigException("--name is empty");
        }

        // --- this member's peer URL and where the peer port listens
        if (sources.containsKey("initial-advertise-peer-urls")) {
            List<EtcdUrl> adv = EtcdUrl.parseAll(o.get("initial-advertise-peer-urls"), "initial-advertise-peer-urls", sources);
            String given = String.join(",", adv.stream().map(EtcdUrl::text).toList());
            boolean matches = unnamed ? adv.size() == 1 && adv.get(0).address().equals(self.address())
                    : adv.size() == 1 && adv.get(0).text().equals(self.url());
            if (!matches) {
                String resolved = adv.size() == 1 ? "(resolved urls: \"" + given + "\" != \"" + self.url() + "\")"
                        : "(len([" + String.join(" ", adv.stream().map(u -> "\"" + u.text() + "\"").toList())
                        + "]) != len([\"" + self.url() + "\"]))";
                throw new ConfigException("--initial-cluster has " + (self.name() == null ? "" : self.name() + "=")
                        + self.url() + " but missing from --initial-advertise-peer-urls=" + given + " " + resolved);
            }
        }
        String peerListen = self.address();
        if (sources.containsKey("listen-peer-urls")) {
            List<EtcdUrl> urls = EtcdUrl.parseAll(o.get("listen-peer-urls"), "listen-peer-urls", sources);
            if (urls.size() != 1) {
                throw new ConfigException("--listen-peer-urls: a MetaStore member listens for peers on one address, got "
                        + urls.size() + ": " + o.get("listen-peer-urls"));
            }
            EtcdUrl u = urls.get(0);
            tcpOnly(u, "listen-peer-urls");
            if (u.secure() != peerTls) {
                throw new ConfigException(u.secure()
                        ? "TLS key/cert (--peer-cert-file, --peer-key-file) must be provided for peer url " + u.text()
                        + " with HTTPS scheme"
                        : "--listen-peer-urls " + u.text() + ": with --peer-cert-file and --peer-key-file the peer port"
                        + " serves only TLS; give an https URL");
            }
            peerListen = u.address();
        }

        // --- bootstrap or join
        String state = o.get("initial-cluster-state").trim();
        if (!state.equals("new") && !state.equals("existing")) {
            ConfigLoader.Source s = sources.get("initial-cluster-state");
            if (s != null && s.kind() == ConfigLoader.Source.Kind.FILE) {
                throw new ConfigException("unexpected clusterState \"" + state + "\"");
            }
            throw s == null ? new ConfigException("--initial-cluster-state must be new or existing") : s.invalid(state, "invalid value");
        }
        boolean join = state.equals("existing") || ConfigLoader.bool(o, "join");
        String token = o.get("initial-cluster-token").trim();
        if (token.isEmpty()) {
            throw new ConfigException("--initial-cluster-token is empty");
        }
        int colon = client.lastIndexOf(':');
        return new Member(index, memberName, peers, client.substring(0, colon), Integer.parseInt(client.substring(colon + 1)),
                advertise, peerListen, join, token);
    }

    private static void tcpOnly(EtcdUrl u, String option) {
        if (u.scheme().startsWith("unix")) {
            throw new ConfigException("--" + option + " " + u.text() + ": MetaStore listens on TCP only (http or https)");
        }
    }

    /**
     * A URL checked as etcd 3.4's {@code types.NewURLs} checks it, with its messages: a scheme of
     * http, https, unix or unixs, a {@code host:port}, no path.
     */
    record EtcdUrl(String text, String scheme, String address) {
        boolean secure() {
            return scheme.equals("https") || scheme.equals("unixs");
        }

        /** The comma-separated URLs of option {@code option}, each checked; a bad one fails in etcd's words. */
        static List<EtcdUrl> parseAll(String value, String option, Map<String, ConfigLoader.Source> sources) {
            List<EtcdUrl> out = new ArrayList<>();
            try {
                for (String s : value.split(",")) {
                    out.add(parse(s));
                }
            } catch (IllegalArgumentException e) {
                ConfigLoader.Source s = sources.get(option);
                throw s == null ? new ConfigException("--" + option + ": " + e.getMessage()) : s.invalid(value, e.getMessage());
            }
            return out;
        }

        static EtcdUrl parse(String raw) {
            String in = raw.trim();
            String scheme = scheme(in);
            if (scheme == null) {
                int slash = in.indexOf('/');
                if ((slash < 0 ? in : in.substring(0, slash)).contains(":")) {
                    throw new IllegalArgumentException("parse \"" + in + "\": first path segment in URL cannot contain colon");
                }
                scheme = "";
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            if (!List.of("http", "https", "unix", "unixs").contains(scheme)) {
                throw new IllegalArgumentException("URL scheme must be http, https, unix, or unixs: " + in);
            }
            String rest = in.substring(scheme.length() + 1);
            String host = "";
            String path = rest;
            if (rest.startsWith("//")) {
                int slash = rest.indexOf('/', 2);
                host = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
                path = slash < 0 ? "" : rest.substring(slash);
            }
            int at = host.lastIndexOf('@');
            host = host.substring(at + 1);
            int colon = host.lastIndexOf(':');
            if (colon < 0 || (host.startsWith("[") && colon < host.indexOf(']'))) {
                throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + in);
            }
            if (!path.isEmpty()) {
                throw new IllegalArgumentException("URL must not contain a path: " + in);
            }
            String port = host.substring(colon + 1);
            if (!port.chars().allMatch(Character::isDigit) || port.isEmpty() || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + in);
            }
            String h = host.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            return new EtcdUrl(in, scheme, h + ":" + port);
        }

        /** Go's {@code getScheme}: letters, then letters, digits, '+', '-' or '.', up to a ':'; {@code null} when none. */
        private static String scheme(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isLetter(c) && c < 128) {
                    continue;
                }
                if ((Character.isDigit(c) || c == '+' || c == '-' || c == '.') && i > 0) {
                    continue;
                }
                if (c == ':') {
                    if (i == 0) {
                        throw new IllegalArgumentException("parse \"" + s + "\": missing protocol scheme");
                    }
                    return s.substring(0, i);
                }
                return null;
            }
            return null;
        }
    }
}
