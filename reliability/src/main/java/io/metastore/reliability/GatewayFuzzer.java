package io.metastore.reliability;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends valid and mutated requests to one member's JSON gateway (etcd 3.4's grpc-gateway on the
 * client port) over HTTP/1.1: truncated JSON, values of the wrong type, invalid base64, huge and
 * negative numbers, unknown fields and enum values, deep nesting, empty and non-JSON bodies,
 * flipped bytes, keys and values around the request limit, wrong paths and methods, and watch
 * streams whose second object is malformed.
 *
 * <p>Each answer must come before a deadline and be one of: 200 with JSON (one object per line
 * for a stream); a 4xx with grpc-gateway's error body ({@code {"error","message","code"}}), or
 * the router's plain 404/405 for an unknown path or method; a 500 with code 2 (UNKNOWN) for a
 * stream whose first object cannot be read, as grpc-gateway answers. After every refused
 * request the revision must not have moved; at the end the process must be alive and take a put.
 *
 * <p>Leases granted here never carry keys (puts name other lease IDs), so nothing expires into
 * a revision change behind the fuzz's back.
 */
public final class GatewayFuzzer {
    private static final long DEADLINE_SECONDS = 15;
    /** How long a watch that etcd would leave silent (an empty body, only a cancel) is given before it is closed. */
    private static final long SILENT_WATCH_MILLIS = 1500;
    /** etcd's default --max-request-bytes, which a decoded request may not exceed. */
    private static final int MAX_REQUEST = 3 * 512 * 1024;
    private static final Set<String> BYTES_FIELDS = Set.of("key", "range_end", "value");
    private static final Set<String> INT_FIELDS = Set.of("limit", "revision", "lease", "ID", "TTL", "version",
            "create_revision", "mod_revision", "min_mod_revision", "max_mod_revision", "min_create_revision",
            "max_create_revision", "start_revision", "watch_id");
    private static final Set<String> ENUM_FIELDS = Set.of("sort_order", "sort_target", "result", "target", "filters");

    /**
     * @param statuses answers by HTTP status ({@code "no answer"} and {@code "connection closed"} for none;
     *                 {@code "watch left open and silent"} for a watch that etcd would not answer either)
     * @param notes    5xx answers that the checks allow (a malformed first stream object), a few of them
     */
    public record Report(long requests, Map<String, Long> statuses, long hangs, long refusedThatChangedRevision,
                         boolean aliveAtEnd, List<String> problems, List<String> notes) {
        public boolean passed() {
            return problems.isEmpty();
        }
    }

    /** What a request is and how its answer is read. */
    private enum Kind {
        /** One JSON answer. */
        UNARY,
        /** A stream that ends by itself (keep-alive): read to its end. */
        STREAM,
        /** A watch: read its first line, then hang up. */
        WATCH,
        /** A watch etcd leaves silent (no request in it makes an answer): give it a moment, then hang up. */
        SILENT_WATCH
    }

    private record Request(String what, String method, String path, byte[] body, Kind kind) {
    }

    private record Answer(int status, String body, String failure) {
    }

    private final Random random;
    private final ManagedChannel channel;
    private final HttpClient http;
    private final String base;
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gateway-fuzz-reader");
        t.setDaemon(true);
        return t;
    });
    private long revision;

    private GatewayFuzzer(Random random, ManagedChannel channel, HttpClient http, int port) {
        this.random = random;
        this.channel = channel;
        this.http = http;
        this.base = "http://127.0.0.1:" + port;
    }

    public static Report run(long millis, Path dir, long seed) {
        ServerProcess server = ServerProcess.single(dir, ServerProcess.DEFAULT_JVM);
        int grpc = server.grpcPort();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(DEADLINE_SECONDS)).build();
        GatewayFuzzer fuzzer = new GatewayFuzzer(new Random(seed), channel, http, grpc);
        try (server) {
            server.start();
            CrashConsistency.awaitServing(channel);
            return fuzzer.fuzz(millis, server);
        } finally {
            fuzzer.readers.shutdownNow();
            channel.shutdownNow();
        }
    }

    private Report fuzz(long millis, ServerProcess server) {
        Map<String, Long> statuses = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long hangs = 0;
        long changed = 0;
        long n = 0;
        for (int i = 0; i < 5; i++) {
            Answer a = send(new Request("seed put", "POST", "/v3/kv/put",
                    utf8("{\"key\":\"" + b64("fuzz/" + i) + "\",\"value\":\"" + b64("v") + "\"}"), Kind.UNARY));
            if (a.status() != 200) {
                problems.add("a valid put through the gateway was answered " + a.status() + " " + a.failure() + " " + a.body());
            }
        }
        revision = currentRevision();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end && server.isAlive()) {
            n++;
            Request request = nextRequest();
            Answer answer = send(request);
            boolean silent = "no answer".equals(answer.failure());
            String key = answer.status() > 0 ? String.valueOf(answer.status())
                    : silent && request.kind() == Kind.SILENT_WATCH ? "watch left open and silent" : answer.failure();
            statuses.merge(key, 1L, Long::sum);
            if (silent && request.kind() != Kind.SILENT_WATCH) {
                hangs++;
            }
            String wrong = judge(request, answer, notes);
            if (wrong != null) {
                problems.add(wrong + ": " + describe(request));
            }
            if (!server.isAlive()) {
                problems.add("the server died after: " + describe(request));
                break;
            }
            long now = currentRevision();
            if (answer.status() != 200 && now != revision) {
                changed++;
                problems.add("refused (" + key + ") but the revision moved " + revision + " -> " + now + ": " + describe(request));
            }
            revision = now;
        }
        boolean alive = server.isAlive();
        if (alive) {
            Answer a = send(new Request("final put", "POST", "/v3/kv/put",
                    utf8("{\"key\":\"" + b64("fuzz/after") + "\",\"value\":\"" + b64("ok") + "\"}"), Kind.UNARY));
            if (a.status() != 200) {
                problems.add("a valid put fails after the fuzz: " + a.status() + " " + a.failure() + " " + a.body());
            }
        } else {
            problems.add("the server process is gone");
        }
        return new Report(n, statuses, hangs, changed, alive, problems, notes);
    }

    /** Why {@code a} is not an acceptable answer to {@code r}, or {@code null}. */
    private static String judge(Request r, Answer a, List<String> notes) {
        if (a.status() < 0) {
            if (r.kind() == Kind.SILENT_WATCH && "no answer".equals(a.failure())) {
                return null; // etcd leaves this watch open and silent too
            }
            return a.failure() + (a.body().isEmpty() ? "" : " (" + a.body() + ")");
        }
        if (a.status() == 200) {
            if (r.kind() == Kind.UNARY) {
                return isJsonObject(a.body()) ? null : "200 without a JSON object: " + clip(a.body());
            }
            for (String line : a.body().split("\n")) {
                if (!line.isBlank() && !isJsonObject(line)) {
                    return "a stream line that is not a JSON object: " + clip(line);
                }
            }
            return null;
        }
        JsonObject error = errorBody(a.body());
        if (a.status() >= 400 && a.status() < 500) {
            if (error != null) {
                return null;
            }
            // grpc-gateway's router answers an unknown path or method in plain text, as net/http's http.Error does
            // (and net/http's mux "404 page not found" outside /v3/)
            boolean routing = (a.status() == 404 && (a.body().equals("Not Found\n") || a.body().equals("404 page not found\n")))
                    || (a.status() == 405 && a.body().equals("Method Not Allowed\n"));
            return routing ? null : a.status() + " without grpc-gateway's error body: " + clip(a.body());
        }
        if (a.status() == 500 && r.kind() != Kind.UNARY && error != null && error.get("code").getAsInt() == 2) {
            if (notes.size() < 10) {
                notes.add("500 " + clip(a.body()) + " for a stream: " + clip(new String(r.body(), StandardCharsets.UTF_8)));
            }
            return null; // grpc-gateway's answer when a stream's first object cannot be decoded
        }
        return "answered " + a.status() + ": " + clip(a.body());
    }

    private static boolean isJsonObject(String s) {
        try {
            return JsonParser.parseString(s).isJsonObject();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** grpc-gateway's error body, or {@code null} if {@code body} is not one. */
    private static JsonObject errorBody(String body) {
        try {
            JsonObject o = JsonParser.parseString(body).getAsJsonObject();
            return o.has("error") && o.has("message") && o.get("code").getAsJsonPrimitive().isNumber() ? o : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Answer send(Request r) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + r.path()))
                .timeout(Duration.ofSeconds(DEADLINE_SECONDS))
                .method(r.method(), r.body().length == 0 && !r.method().equals("POST") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(r.body()));
        if (random.nextInt(5) != 0) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<InputStream> response;
        CompletableFuture<HttpResponse<InputStream>> pending = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        long headWait = r.kind() == Kind.SILENT_WATCH ? SILENT_WATCH_MILLIS : TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS);
        try {
            response = pending.get(headWait, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return new Answer(-1, "", "no answer");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException) {
                return new Answer(-1, "", "no answer");
            }
            return new Answer(-1, String.valueOf(cause), "connection closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "", "interrupted");
        }
        InputStream in = response.body();
        CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
            try {
                if (r.kind() == Kind.WATCH || r.kind() == Kind.SILENT_WATCH) {
                    if (response.statusCode() != 200) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
                    return line == null ? "" : line;
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, readers);
        try {
            return new Answer(response.statusCode(), read.get(DEADLINE_SECONDS, TimeUnit.SECONDS), null);
        } catch (TimeoutException e) {
            return new Answer(-1, "status " + response.statusCode() + ", then no body", "no answer");
        } catch (ExecutionException e) {
            return new Answer(-1, "status " + response.statusCode() + ", then " + e.getCause(), "connection closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "", "interrupted");
        } finally {
            try {
                in.close(); // hangs up a watch; a finished body is already consumed
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        }
    }

    private long currentRevision() {
        return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance()).getHeader().getRevision();
    }

    // ---- requests ----

    private Request nextRequest() {
        int pick = random.nextInt(100);
        if (pick < 6) {
            return wrongRoute();
        }
        if (pick < 18) {
            return watch();
        }
        if (pick < 22) {
            return keepAlive();
        }
        String path;
        JsonObject body;
        switch (random.nextInt(10)) {
            case 0, 1 -> {
                path = "/v3/kv/range";
                body = range();
            }
            case 2, 3 -> {
                path = "/v3/kv/put";
                body = put();
            }
            case 4 -> {
                path = "/v3/kv/deleterange";
                body = delete();
            }
            case 5, 6 -> {
                path = "/v3/kv/txn";
                body = txn(0);
            }
            case 7 -> {
                path = "/v3/kv/compaction";
                body = new JsonObject();
                body.addProperty("revision", String.valueOf(number()));
                if (random.nextBoolean()) {
                    body.addProperty("physical", random.nextBoolean());
                }
            }
            case 8 -> {
                String[] leasePaths = {"/v3/lease/grant", "/v3/lease/revoke", "/v3/lease/timetolive", "/v3/lease/leases"};
                path = leasePaths[random.nextInt(leasePaths.length)];
                body = new JsonObject();
                if (path.equals("/v3/lease/grant")) {
                    body.addProperty("TTL", String.valueOf(number()));
                    if (random.nextBoolean()) {
                        body.addProperty("ID", String.valueOf(leaseId()));
                    }
                } else if (!path.equals("/v3/lease/leases")) {
                    body.addProperty("ID", String.valueOf(leaseId()));
                    body.addProperty("keys", random.nextBoolean());
                }
            }
            default -> {
                path = random.nextBoolean() ? "/v3/maintenance/status" : "/v3beta/kv/range";
                body = path.endsWith("range") ? range() : new JsonObject();
            }
        }
        return mutate(path, body, Kind.UNARY);
    }

    /** A body built from {@code valid}, mutated one way or left valid. */
    private Request mutate(String path, JsonObject valid, Kind kind) {
        String text = valid.toString();
        return switch (random.nextInt(16)) {
            case 0, 1, 2 -> request("valid", path, text, kind);
            case 3 -> request("truncated", path, text.substring(0, random.nextInt(Math.max(1, text.length()))), kind);
            case 4 -> request("wrong type", path, replaceAny(valid, wrongType()), kind);
            case 5 -> request("invalid base64", path, replaceIn(valid, BYTES_FIELDS, new JsonPrimitive(badBase64())), kind);
            case 6 -> request("bad number", path, replaceIn(valid, INT_FIELDS, badNumber()), kind);
            case 7 -> {
                JsonObject o = valid.deepCopy();
                o.addProperty("no_such_field_" + random.nextInt(100), random.nextBoolean() ? "x" : "1");
                o.add("another_unknown", deep(random.nextInt(5)));
                yield request("unknown fields", path, o.toString(), kind);
            }
            case 8 -> request("unknown enum", path, replaceIn(valid, ENUM_FIELDS, badEnum()), kind);
            case 9 -> {
                int depth = random.nextInt(4) == 0 ? 10_000 + random.nextInt(100_000) : 50 + random.nextInt(500);
                boolean arrays = random.nextBoolean();
                String nested = arrays ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                boolean alone = random.nextBoolean();
                String body = alone ? nested
                        : text.substring(0, text.length() - 1) + (text.length() > 2 ? "," : "") + "\"deep\":" + nested + "}";
                // Objects of nothing but unknown fields, within the gateway's depth limit (Gateway.MAX_DEPTH,
                // 1000), are an empty request: on a watch stream etcd 3.4.23 answers nothing (checked at
                // depth 2 and 246), and neither does this server.
                boolean emptyWatch = kind == Kind.WATCH && alone && !arrays && depth <= 1000;
                yield request("nested " + depth + " deep", path, body, emptyWatch ? Kind.SILENT_WATCH : kind);
            }
            case 10 -> request("empty body", path, "", kind == Kind.WATCH ? Kind.SILENT_WATCH : kind);
            case 11 -> {
                byte[] junk = switch (random.nextInt(4)) {
                    case 0 -> randomBytes(1 + random.nextInt(200));
                    case 1 -> utf8(List.of("null", "[]", "42", "\"x\"", "true", "{}{}", "{\"key\":\"a\"}]", "\u00ff\u00fe").get(random.nextInt(8)));
                    case 2 -> new byte[] {(byte) 0xc3, (byte) 0x28, '{', '}'};
                    default -> utf8("<xml/>");
                };
                yield new Request("non-JSON", "POST", path, junk, kind == Kind.WATCH ? Kind.SILENT_WATCH : kind);
            }
            case 12 -> {
                byte[] b = utf8(text);
                int flips = 1 + random.nextInt(3);
                for (int i = 0; i < flips && b.length > 0; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                // a flip can rename "create_request", leaving a watch with nothing to answer, as in etcd
                yield new Request("flipped bytes", "POST", path, b, kind == Kind.WATCH ? Kind.SILENT_WATCH : kind);
            }
            case 13 -> request("huge bytes", path, replaceIn(valid, BYTES_FIELDS, new JsonPrimitive(hugeBase64())), kind);
            case 14 -> {
                String dup = text.length() > 2 ? "{\"key\":\"" + b64("dup") + "\"," + text.substring(1) : text;
                yield request("duplicate key", path, dup, kind);
            }
            default -> request("valid", path, text, kind);
        };
    }

    private Request request(String what, String path, String body, Kind kind) {
        return new Request(what, "POST", path, utf8(body), kind);
    }

    private Request wrongRoute() {
        String[] paths = {"/v3/kv/ranges", "/v3/", "/v3alpha/kv/range", "/v2/keys/foo", "/v3/kv/range/extra",
                "/v3/kv/range?limit=1", "/v3//kv/range", "/V3/kv/range", "/v3/kv/%72ange", "/v3/watch/",
                "/v3/lease/grant2", "/v3/kv/put#x"};
        String body = range().toString();
        if (random.nextBoolean()) {
            String method = List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS").get(random.nextInt(5));
            String path = List.of("/v3/kv/range", "/v3/kv/put", "/v3/watch", "/v3/lease/grant").get(random.nextInt(4));
            return new Request("wrong method", method, path, random.nextBoolean() ? new byte[0] : utf8(body), Kind.UNARY);
        }
        return new Request("wrong path", "POST", paths[random.nextInt(paths.length)], utf8(body), Kind.UNARY);
    }

    /** A watch: one create request, mutated or not, and sometimes a second object that is malformed. */
    private Request watch() {
        JsonObject create = new JsonObject();
        create.addProperty("key", b64(key()));
        if (random.nextBoolean()) {
            create.addProperty("range_end", b64(key()));
        }
        if (random.nextInt(3) == 0) {
            create.addProperty("start_revision", String.valueOf(number()));
        }
        if (random.nextInt(3) == 0) {
            JsonArray filters = new JsonArray();
            filters.add(random.nextBoolean() ? "NOPUT" : "NODELETE");
            create.add("filters", filters);
        }
        create.addProperty("prev_kv", random.nextBoolean());
        if (random.nextInt(4) == 0) {
            create.addProperty("watch_id", String.valueOf(number()));
        }
        JsonObject first = new JsonObject();
        first.add("create_request", create);
        if (random.nextInt(3) != 0) {
            return mutate("/v3/watch", first, Kind.WATCH);
        }
        String second = switch (random.nextInt(6)) {
            case 0 -> "{\"create_request\":{\"key\":";
            case 1 -> "{\"create_request\":{\"key\":\"" + badBase64() + "\"}}";
            case 2 -> "{\"create_request\":{\"filters\":[\"" + badEnum().getAsString() + "\"]}}";
            case 3 -> "not json";
            case 4 -> "{\"cancel_request\":{\"watch_id\":" + badNumber() + "}}";
            default -> "{\"progress_request\":{}}]";
        };
        return new Request("watch with a malformed second object", "POST", "/v3/watch",
                utf8(first + (random.nextBoolean() ? "\n" : "") + second), Kind.WATCH);
    }

    private Request keepAlive() {
        JsonObject o = new JsonObject();
        o.addProperty("ID", String.valueOf(leaseId()));
        Request r = mutate("/v3/lease/keepalive", o, Kind.STREAM);
        if (random.nextInt(3) == 0) {
            byte[] twice = utf8(o + "\n" + new String(r.body(), StandardCharsets.UTF_8));
            return new Request(r.what() + " after a valid object", "POST", r.path(), twice, Kind.STREAM);
        }
        return r;
    }

    private JsonObject range() {
        JsonObject o = new JsonObject();
        o.addProperty("key", b64(key()));
        if (random.nextBoolean()) {
            o.addProperty("range_end", b64(key()));
        }
        if (random.nextInt(3) == 0) {
            o.addProperty("limit", String.valueOf(number()));
        }
        if (random.nextInt(3) == 0) {
            o.addProperty("revision", String.valueOf(number()));
        }
        if (random.nextInt(3) == 0) {
            o.addProperty("sort_order", List.of("NONE", "ASCEND", "DESCEND").get(random.nextInt(3)));
        }
        if (random.nextInt(3) == 0) {
            o.addProperty("sort_target", List.of("KEY", "VERSION", "CREATE", "MOD", "VALUE").get(random.nextInt(5)));
        }
        if (random.nextInt(3) == 0) {
            o.addProperty("serializable", random.nextBoolean());
        }
        if (random.nextInt(4) == 0) {
            o.addProperty(random.nextBoolean() ? "keys_only" : "count_only", true);
        }
        if (random.nextInt(4) == 0) {
            o.addProperty("min_mod_revision", String.valueOf(number()));
            o.addProperty("max_create_revision", String.valueOf(number()));
        }
        return o;
    }

    private JsonObject put() {
        JsonObject o = new JsonObject();
        o.addProperty("key", b64(key()));
        o.addProperty("value", b64(value()));
        if (random.nextInt(4) == 0) {
            o.addProperty("lease", String.valueOf(number()));
        }
        if (random.nextInt(3) == 0) {
            o.addProperty("prev_kv", true);
        }
        if (random.nextInt(6) == 0) {
            o.addProperty(random.nextBoolean() ? "ignore_value" : "ignore_lease", true);
        }
        return o;
    }

    private JsonObject delete() {
        JsonObject o = new JsonObject();
        o.addProperty("key", b64(key()));
        if (random.nextBoolean()) {
            o.addProperty("range_end", b64(key()));
        }
        o.addProperty("prev_kv", random.nextBoolean());
        return o;
    }

    private JsonObject txn(int depth) {
        JsonObject o = new JsonObject();
        JsonArray compares = new JsonArray();
        for (int i = random.nextInt(3); i > 0; i--) {
            JsonObject c = new JsonObject();
            c.addProperty("key", b64(key()));
            c.addProperty("result", List.of("EQUAL", "GREATER", "LESS", "NOT_EQUAL").get(random.nextInt(4)));
            switch (random.nextInt(5)) {
                case 0 -> {
                    c.addProperty("target", "VERSION");
                    c.addProperty("version", String.valueOf(number()));
                }
                case 1 -> {
                    c.addProperty("target", "CREATE");
                    c.addProperty("create_revision", String.valueOf(number()));
                }
                case 2 -> {
                    c.addProperty("target", "MOD");
                    c.addProperty("mod_revision", String.valueOf(number()));
                }
                case 3 -> {
                    c.addProperty("target", "LEASE");
                    c.addProperty("lease", String.valueOf(number()));
                }
                default -> {
                    c.addProperty("target", "VALUE");
                    c.addProperty("value", b64("v" + random.nextInt(100)));
                }
            }
            compares.add(c);
        }
        if (!compares.isEmpty()) {
            o.add("compare", compares);
        }
        for (String branch : List.of("success", "failure")) {
            JsonArray ops = new JsonArray();
            for (int i = random.nextInt(3); i > 0; i--) {
                JsonObject op = new JsonObject();
                switch (random.nextInt(depth < 1 ? 4 : 3)) {
                    case 0 -> op.add("request_range", range());
                    case 1 -> op.add("request_put", put());
                    case 2 -> op.add("request_delete_range", delete());
                    default -> op.add("request_txn", txn(depth + 1));
                }
                ops.add(op);
            }
            if (!ops.isEmpty()) {
                o.add(branch, ops);
            }
        }
        return o;
    }

    // ---- values ----

    private byte[] key() {
        return switch (random.nextInt(10)) {
            case 0 -> new byte[0];
            case 1 -> new byte[] {0};
            case 2 -> randomBytes(1 + random.nextInt(20));
            default -> utf8("fuzz/" + random.nextInt(6));
        };
    }

    private byte[] value() {
        return random.nextInt(8) == 0 ? randomBytes(random.nextInt(10_000)) : utf8("v" + random.nextInt(100));
    }

    /** Base64 of 1 MiB to 2 MiB: around etcd's 1.5 MiB request limit, and the body around the gateway's 2 MiB. */
    private String hugeBase64() {
        int size = switch (random.nextInt(4)) {
            case 0 -> MAX_REQUEST - 1024 - random.nextInt(1024);
            case 1 -> MAX_REQUEST + random.nextInt(1024);
            case 2 -> (1 << 20) + random.nextInt(1 << 20);
            default -> MAX_REQUEST - 200 + random.nextInt(400);
        };
        return Base64.getEncoder().encodeToString(new byte[size]);
    }

    private long number() {
        return switch (random.nextInt(9)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Long.MIN_VALUE;
            case 3 -> Long.MAX_VALUE;
            case 4 -> random.nextLong();
            case 5 -> revision;
            case 6 -> revision + 1 + random.nextInt(3);
            default -> random.nextInt(Math.max(1, (int) Math.min(revision + 2, 1000)));
        };
    }

    /** Lease IDs for grants, revokes and keep-alives: far from the numbers puts name, so no key is ever attached. */
    private long leaseId() {
        return random.nextInt(4) == 0 ? 0 : 0x7000_0000_0000_0000L + random.nextInt(1000);
    }

    private JsonElement badNumber() {
        return switch (random.nextInt(12)) {
            case 0 -> new JsonPrimitive("-1");
            case 1 -> new JsonPrimitive("-9223372036854775809");
            case 2 -> new JsonPrimitive("9223372036854775808");
            case 3 -> new JsonPrimitive("99999999999999999999999999999");
            case 4 -> JsonParser.parseString("1e300");
            case 5 -> new JsonPrimitive(-5);
            case 6 -> JsonParser.parseString("1.5");
            case 7 -> new JsonPrimitive("0x10");
            case 8 -> new JsonPrimitive("");
            case 9 -> new JsonPrimitive(" 12");
            case 10 -> JsonParser.parseString("-9223372036854775808");
            default -> new JsonPrimitive("NaN");
        };
    }

    private JsonElement badEnum() {
        return switch (random.nextInt(4)) {
            case 0, 1 -> new JsonPrimitive(List.of("SIDEWAYS", "equal", "", "ASCEND ", "NOT_EQUAL2").get(random.nextInt(5)));
            case 2 -> new JsonPrimitive(99);
            default -> new JsonPrimitive(random.nextBoolean() ? -1 : 3);
        };
    }

    private String badBase64() {
        return List.of("!!!", "Zm9v=x", "%%%", "Zm9", "Zm9v\u00e9", "Zm 9v", "=", "Zm9v====").get(random.nextInt(8));
    }

    private JsonElement wrongType() {
        return switch (random.nextInt(6)) {
            case 0 -> new JsonPrimitive(12345);
            case 1 -> JsonParser.parseString("{\"a\":\"b\"}");
            case 2 -> JsonParser.parseString("[1,2,3]");
            case 3 -> new JsonPrimitive(true);
            case 4 -> new JsonPrimitive("abc");
            default -> com.google.gson.JsonNull.INSTANCE;
        };
    }

    private JsonElement deep(int depth) {
        JsonElement e = new JsonPrimitive(1);
        for (int i = 0; i < depth; i++) {
            JsonObject o = new JsonObject();
            o.add("x", e);
            e = o;
        }
        return e;
    }

    /** {@code o} with one member (anywhere in it) replaced by {@code value}. */
    private String replaceAny(JsonObject o, JsonElement value) {
        JsonObject copy = o.deepCopy();
        List<Object[]> slots = new ArrayList<>();
        slots(copy, slots, null);
        if (slots.isEmpty()) {
            copy.add("key", value);
        } else {
            Object[] s = slots.get(random.nextInt(slots.size()));
            ((JsonObject) s[0]).add((String) s[1], value);
        }
        return copy.toString();
    }

    /** {@code o} with one member named in {@code names} replaced by {@code value}, or such a member added at the top. */
    private String replaceIn(JsonObject o, Set<String> names, JsonElement value) {
        JsonObject copy = o.deepCopy();
        List<Object[]> slots = new ArrayList<>();
        slots(copy, slots, names);
        if (slots.isEmpty()) {
            List<String> sorted = names.stream().sorted().toList();
            copy.add(sorted.get(random.nextInt(sorted.size())), value);
        } else {
            Object[] s = slots.get(random.nextInt(slots.size()));
            JsonObject parent = (JsonObject) s[0];
            String name = (String) s[1];
            parent.add(name, parent.get(name).isJsonArray() ? single(value) : value);
        }
        return copy.toString();
    }

    private static JsonArray single(JsonElement e) {
        JsonArray a = new JsonArray();
        a.add(e);
        return a;
    }

    /** Every (object, member name) under {@code o}, of the given names or all. */
    private static void slots(JsonObject o, List<Object[]> out, Set<String> names) {
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            if (names == null || names.contains(e.getKey())) {
                out.add(new Object[] {o, e.getKey()});
            }
            if (e.getValue().isJsonObject()) {
                slots(e.getValue().getAsJsonObject(), out, names);
            } else if (e.getValue().isJsonArray()) {
                for (JsonElement x : e.getValue().getAsJsonArray()) {
                    if (x.isJsonObject()) {
                        slots(x.getAsJsonObject(), out, names);
                    }
                }
            }
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String b64(String s) {
        return b64(utf8(s));
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static String describe(Request r) {
        return r.what() + " " + r.method() + " " + r.path() + " " + clip(new String(r.body(), StandardCharsets.UTF_8))
                + " (" + r.body().length + " bytes)";
    }

    private static String clip(String s) {
        String t = s.replace('\n', ' ');
        return t.length() > 240 ? t.substring(0, 240) + "..." : t;
    }
}
