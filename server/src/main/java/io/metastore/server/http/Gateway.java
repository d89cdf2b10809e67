package io.metastore.server.http;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;

/**
 * etcd's JSON gateway, as etcd 3.4 serves it with grpc-gateway: {@code POST /v3/...} with a
 * JSON request body, answered with the JSON response (jsonpb with the .proto's field names,
 * bytes as base64, 64-bit integers as strings, zero values left out). The calls go through
 * {@code channel} — the same services behind the same interceptors as the gRPC port — with
 * the {@code Authorization} header as the {@code token} metadata, as etcd's gateway dials its
 * own gRPC endpoint. {@code /v3beta/} is served as {@code /v3/}; etcd 3.4 dropped {@code /v3alpha/}.
 *
 * <p>Streams: a request body of concatenated JSON objects is a stream of requests (watch,
 * keep-alive); a response stream is written as it comes, one {@code {"result":...}} object per
 * line. Errors take grpc-gateway's shapes: {@code {"error":"etcdserver: ...","message":"...","code":N}}
 * with the HTTP status of the gRPC code, and inside a stream
 * {@code {"error":{"grpc_code":N,"http_code":H,"message":"...","http_status":"..."}}}.
 */
public final class Gateway {
    /** Bodies are refused beyond etcd's default request limit plus gRPC's overhead (the services behind apply --max-request-bytes). */
    static final int MAX_BODY = io.metastore.server.config.ServerConfig.Limits.defaults().maxMessageBytes();
    /** etcd's answer to a request body over the limit. */
    private static final String TOO_LARGE = io.metastore.server.error.EtcdError.REQUEST_TOO_LARGE.message();
    /** The deepest nesting of arrays and objects a request body may have (see {@link #checkDepth}). */
    static final int MAX_DEPTH = 1000;
    /** etcd's gateway JSON: the .proto's field names, no whitespace; thread-safe, so shared. */
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();
    /** Strict: unknown fields are pruned first (see {@link #toProto}), so an unknown enum value still fails. */
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private final Channel channel;

    public Gateway(Channel channel) {
        this.channel = channel;
    }

    /** Whether {@code path} is the gateway's (everything under {@code /v3/} and {@code /v3beta/}). */
    static boolean owns(String path) {
        return path.startsWith("/v3/") || path.startsWith("/v3beta/");
    }

    HttpRoutes.Exchange open(HttpRequest head, String path, HttpResponder out) {
        String p = path.startsWith("/v3beta/") ? "/v3/" + path.substring("/v3beta/".length()) : path;
        GatewayMethods.Route route = GatewayMethods.route(p);
        if (route == null) {
            out.text(HttpResponseStatus.NOT_FOUND, "Not Found\n");
            return HttpRoutes.IGNORE_BODY;
        }
        if (!HttpMethod.POST.equals(head.method())) {
            out.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed\n");
            return HttpRoutes.IGNORE_BODY;
        }
        Metadata md = HttpRoutes.callerMetadata(head);
        return route.clientStreaming() ? new RequestStream(route, md, out) : new WholeRequest(route, md, out);
    }

    /** A unary or server-streaming call: the body is one request, read whole first. */
    private final class WholeRequest implements HttpRoutes.Exchange {
        private final GatewayMethods.Route route;
        private final Metadata md;
        private final HttpResponder out;
        private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        private boolean refused;
        private ClientCall<byte[], byte[]> call;

        WholeRequest(GatewayMethods.Route route, Metadata md, HttpResponder out) {
            this.route = route;
            this.md = md;
            this.out = out;
        }

        @Override
        public void body(byte[] chunk) {
            if (refused) {
                return;
            }
            if (body.size() + chunk.length > MAX_BODY) {
                refused = true;
                out.closeAfterResponse();
                error(out, Status.Code.INVALID_ARGUMENT, TOO_LARGE);
                return;
            }
            body.writeBytes(chunk);
        }

        @Override
        public void end() {
            if (refused) {
                return;
            }
            byte[] request;
            try {
                request = toProto(route.input(), body.toString(StandardCharsets.UTF_8));
            } catch (InvalidProtocolBufferException e) {
                error(out, Status.Code.INVALID_ARGUMENT, e.getMessage());
                return;
            }
            call = channel.newCall(route.method(), CallOptions.DEFAULT);
            call.start(new Responses(route, out, call), md);
            call.request(route.serverStreaming() ? 1 : 2);
            call.sendMessage(request);
            call.halfClose();
        }

        @Override
        public void abort() {
            if (call != null) {
                call.cancel("the HTTP client went away", null);
            }
        }
    }

    /**
     * A client-streaming call (watch, keep-alive): each JSON object of the body is sent as it
     * completes; the end of the body half-closes the call (a watch stays open, as in etcd). A
     * malformed first object fails the request (500, code 2, as grpc-gateway answers); a later one
     * ends the sending side. An object larger than {@link #MAX_BODY} is refused as a whole body
     * that large is on the other routes ("etcdserver: request is too large", the connection closed):
     * before the call starts as a 400 answer, once it has started as the stream's error.
     */
    private final class RequestStream implements HttpRoutes.Exchange {
        private final GatewayMethods.Route route;
        private final Metadata md;
        private final HttpResponder out;
        private final JsonObjects objects = new JsonObjects(MAX_BODY);
        private ClientCall<byte[], byte[]> call;
        private Responses responses;
        private boolean sendingDone;

        RequestStream(GatewayMethods.Route route, Metadata md, HttpResponder out) {
            this.route = route;
            this.md = md;
            this.out = out;
        }

        @Override
        public void body(byte[] chunk) {
            if (sendingDone) {
                return;
            }
            for (String json : objects.feed(chunk)) {
                byte[] request;
                try {
                    request = toProto(route.input(), json);
                } catch (InvalidProtocolBufferException e) {
                    malformed(e.getMessage());
                    return;
                }
                ensureStarted();
                call.sendMessage(request);
            }
            if (objects.tooLarge()) {
                tooLarge();
            } else if (objects.error() != null) {
                malformed(objects.error());
            }
        }

        @Override
        public void end() {
            if (sendingDone) {
                return;
            }
            if (objects.pending()) {
                malformed("unexpected EOF");
                return;
            }
            ensureStarted();
            sendingDone = true;
            call.halfClose();
        }

        @Override
        public void abort() {
            if (call != null) {
                call.cancel("the HTTP client went away", null);
            }
        }

        private void ensureStarted() {
            if (call == null) {
                call = channel.newCall(route.method(), CallOptions.DEFAULT);
                responses = new Responses(route, out, call);
                call.start(responses, md);
                call.request(1);
            }
        }

        private void malformed(String why) {
            sendingDone = true;
            if (call == null) {
                error(out, Status.Code.UNKNOWN, why);
            } else {
                call.halfClose();
            }
        }

        private void tooLarge() {
            sendingDone = true;
            // first: on the event loop the answer goes out at once, and must carry the close
            out.closeAfterResponse();
            if (call == null) {
                error(out, Status.Code.INVALID_ARGUMENT, TOO_LARGE);
            } else {
                responses.endWith(Status.INVALID_ARGUMENT.withDescription(TOO_LARGE));
                call.cancel(TOO_LARGE, null);
            }
        }
    }

    /** Writes a call's answer: one JSON body, or a stream of results. Callbacks are serialized by gRPC. */
    private static final class Responses extends ClientCall.Listener<byte[]> {
        private final GatewayMethods.Route route;
        private final HttpResponder out;
        private final ClientCall<byte[], byte[]> call;
        private byte[] single;
        private boolean streamed;
        /** When set, the status the answer ends with instead of the call's own (a cancel by the gateway). */
        private volatile Status ending;

        Responses(GatewayMethods.Route route, HttpResponder out, ClientCall<byte[], byte[]> call) {
            this.route = route;
            this.out = out;
            this.call = call;
        }

        @Override
        public void onMessage(byte[] message) {
            if (!route.serverStreaming()) {
                single = message;
                return;
            }
            String json;
            try {
                json = toJson(route.output(), message);
            } catch (InvalidProtocolBufferException e) {
                call.cancel("cannot read a response: " + e.getMessage(), e);
                return;
            }
            if (!streamed) {
                streamed = true;
                out.startStream(HttpResponseStatus.OK, HttpResponder.JSON);
            }
            // the next message is asked for once this one is written: a slow reader slows the stream
            out.chunk(("{\"result\":" + json + "}\n").getBytes(StandardCharsets.UTF_8))
                    .addListener(f -> call.request(1));
        }

        /** Makes the answer end with {@code status}; set before the gateway cancels the call. */
        void endWith(Status status) {
            ending = status;
        }

        @Override
        public void onClose(Status closed, Metadata trailers) {
            Status status = ending != null ? ending : closed;
            if (route.serverStreaming()) {
                if (!status.isOk()) {
                    String chunk = streamError(status);
                    if (!streamed) {
                        out.json(httpStatus(status.getCode()), chunk);
                        return;
                    }
                    out.chunk(chunk.getBytes(StandardCharsets.UTF_8));
                } else if (!streamed) {
                    out.startStream(HttpResponseStatus.OK, HttpResponder.JSON);
                }
                out.endStream();
                return;
            }
            if (!status.isOk()) {
                error(out, status.getCode(), message(status));
                return;
            }
            try {
                out.json(HttpResponseStatus.OK, single == null ? "{}" : toJson(route.output(), single));
            } catch (InvalidProtocolBufferException e) {
                error(out, Status.Code.INTERNAL, "cannot read the response: " + e.getMessage());
            }
        }
    }

    /**
     * A request from its JSON. As etcd's gateway (jsonpb with unknown fields allowed), fields the
     * message does not have are ignored; unlike protobuf-java's lenient parser, a value a field
     * cannot take (an unknown enum name) is refused, so a mistyped compare never runs as another.
     */
    static byte[] toProto(Descriptor type, String json) throws InvalidProtocolBufferException {
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        if (!json.isBlank()) {
            checkDepth(json);
            com.google.gson.JsonElement tree;
            try {
                tree = com.google.gson.JsonParser.parseString(json);
            } catch (com.google.gson.JsonParseException e) {
                throw new InvalidProtocolBufferException(e.getMessage());
            }
            if (tree.isJsonObject()) {
                prune(tree.getAsJsonObject(), type);
            }
            PARSER.merge(tree.toString(), b);
        }
        return b.build().toByteArray();
    }

    /**
     * Refuses JSON nested deeper than {@link #MAX_DEPTH} arrays and objects, with Go's wording.
     * Parsing is iterative, but pruning and re-printing the tree recurse once a level on the
     * connection's event loop: 100,000 {@code [} in a body overflowed its stack, and the client
     * saw the connection closed without an answer. Go's encoding/json stops at 10,000 levels;
     * no etcd request comes near 1,000 (protobuf's JSON parser allows 100 messages deep), so
     * the only bodies refused here that etcd accepts are those with unknown fields nested
     * between 1,000 and 10,000 deep.
     */
    static void checkDepth(String json) throws InvalidProtocolBufferException {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > MAX_DEPTH) {
                    throw new InvalidProtocolBufferException("invalid character '" + c + "' exceeded max depth");
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
    }

    /** Removes the members of {@code o} that name no field of {@code type} (by .proto name or JSON name), recursively. */
    private static void prune(com.google.gson.JsonObject o, Descriptor type) {
        for (String name : java.util.List.copyOf(o.keySet())) {
            com.google.protobuf.Descriptors.FieldDescriptor f = type.findFieldByName(name);
            if (f == null) {
                f = type.getFields().stream().filter(x -> x.getJsonName().equals(name)).findFirst().orElse(null);
            }
            if (f == null) {
                o.remove(name);
                continue;
            }
            if (f.getJavaType() != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE || f.isMapField()) {
                continue;
            }
            com.google.gson.JsonElement v = o.get(name);
            if (v.isJsonObject()) {
                prune(v.getAsJsonObject(), f.getMessageType());
            } else if (v.isJsonArray()) {
                for (com.google.gson.JsonElement e : v.getAsJsonArray()) {
                    if (e.isJsonObject()) {
                        prune(e.getAsJsonObject(), f.getMessageType());
                    }
                }
            }
        }
    }

    static String toJson(Descriptor type, byte[] message) throws InvalidProtocolBufferException {
        // protobuf's default limit of 100 nested messages refused the answer to a txn nested 49 deep
        // (TxnResponse > ResponseOp > TxnResponse ...: two messages a level) after it had committed;
        // Go's protobuf, under etcd's gateway, allows 10,000, and etcd 3.4.23 answers 120 deep
        CodedInputStream in = CodedInputStream.newInstance(message);
        in.setRecursionLimit(MAX_DEPTH);
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        try {
            b.mergeFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (java.io.IOException e) { // not thrown by a stream over an array
            throw new InvalidProtocolBufferException(e);
        }
        return PRINTER.print(b.build());
    }

    private static String message(Status status) {
        return status.getDescription() == null ? "" : status.getDescription();
    }

    /** grpc-gateway's error body for a failed call. */
    static void error(HttpResponder out, Status.Code code, String message) {
        String m = quote(message);
        out.json(httpStatus(code), "{\"error\":" + m + ",\"message\":" + m + ",\"code\":" + code.value() + "}");
    }

    /** grpc-gateway's error object inside a response stream. */
    private static String streamError(Status status) {
        HttpResponseStatus http = httpStatus(status.getCode());
        return "{\"error\":{\"grpc_code\":" + status.getCode().value() + ",\"http_code\":" + http.code()
                + ",\"message\":" + quote(message(status)) + ",\"http_status\":" + quote(http.reasonPhrase()) + "}}";
    }

    /** grpc-gateway 1.x's HTTPStatusFromCode, which etcd 3.4 uses (FAILED_PRECONDITION is 412 there). */
    static HttpResponseStatus httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> HttpResponseStatus.OK;
            case CANCELLED -> HttpResponseStatus.REQUEST_TIMEOUT;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> HttpResponseStatus.BAD_REQUEST;
            case DEADLINE_EXCEEDED -> HttpResponseStatus.GATEWAY_TIMEOUT;
            case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
            case ALREADY_EXISTS, ABORTED -> HttpResponseStatus.CONFLICT;
            case PERMISSION_DENIED -> HttpResponseStatus.FORBIDDEN;
            case UNAUTHENTICATED -> HttpResponseStatus.UNAUTHORIZED;
            case RESOURCE_EXHAUSTED -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case FAILED_PRECONDITION -> HttpResponseStatus.PRECONDITION_FAILED;
            case UNIMPLEMENTED -> HttpResponseStatus.NOT_IMPLEMENTED;
            case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case UNKNOWN, INTERNAL, DATA_LOSS -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    }

    /** A JSON string literal, escaping as Go's encoding/json does (quotes, backslash, controls, and {@code < > &}). */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
