package io.metastore.server.metrics;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.metastore.server.error.GrpcErrors;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gRPC server's metrics, with go-grpc-prometheus's names and labels as etcd exports them:
 * {@code grpc_server_started_total}, {@code grpc_server_handled_total} (by {@code grpc_code},
 * spelled as Go spells codes: {@code OK}, {@code InvalidArgument}, {@code ResourceExhausted}),
 * {@code grpc_server_msg_received_total} and {@code grpc_server_msg_sent_total}, each by
 * {@code grpc_type}, {@code grpc_service} and {@code grpc_method}; plus etcd's byte counters.
 *
 * <p>It is a {@link ServerStreamTracer.Factory} rather than an interceptor: a tracer also sees
 * calls that the transport ends before any interceptor runs (a message over the size limit is
 * answered RESOURCE_EXHAUSTED by gRPC itself), and it is one object per call where an
 * interceptor needs a call and a listener wrapper. Every series of every registered method is
 * created up front, as go-grpc-prometheus does, so a call only looks its method up in a map
 * and increments counters.
 */
public final class GrpcMetrics extends ServerStreamTracer.Factory {
    private static final ServerStreamTracer NOOP = new ServerStreamTracer() {
    };

    private final Counter started;
    private final Counter handled;
    private final Counter received;
    private final Counter sent;
    private final CounterDataPoint receivedBytes;
    private final CounterDataPoint sentBytes;
    private final Map<String, MethodSeries> methods = new ConcurrentHashMap<>();

    GrpcMetrics(PrometheusRegistry registry, CounterDataPoint receivedBytes, CounterDataPoint sentBytes) {
        this.receivedBytes = receivedBytes;
        this.sentBytes = sentBytes;
        started = Counter.builder().name("grpc_server_started_total").help("Total number of RPCs started on the server.")
                .labelNames("grpc_type", "grpc_service", "grpc_method").withoutExemplars().register(registry);
        handled = Counter.builder().name("grpc_server_handled_total")
                .help("Total number of RPCs completed on the server, regardless of success or failure.")
                .labelNames("grpc_type", "grpc_service", "grpc_method", "grpc_code").withoutExemplars().register(registry);
        received = Counter.builder().name("grpc_server_msg_received_total")
                .help("Total number of RPC stream messages received on the server.")
                .labelNames("grpc_type", "grpc_service", "grpc_method").withoutExemplars().register(registry);
        sent = Counter.builder().name("grpc_server_msg_sent_total")
                .help("Total number of gRPC stream messages sent by the server.")
                .labelNames("grpc_type", "grpc_service", "grpc_method").withoutExemplars().register(registry);
    }

    /** Creates the series of every method of {@code service}; calls to other methods are not counted. */
    public void register(ServerServiceDefinition service) {
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            MethodDescriptor<?, ?> d = m.getMethodDescriptor();
            methods.computeIfAbsent(d.getFullMethodName(), n -> new MethodSeries(d));
        }
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        MethodSeries m = methods.get(fullMethodName);
        return m == null ? NOOP : new CallTracer(m);
    }

    /** The go-grpc-prometheus name of a method's type. */
    static String typeOf(MethodDescriptor.MethodType type) {
        return switch (type) {
            case UNARY -> "unary";
            case CLIENT_STREAMING -> "client_stream";
            case SERVER_STREAMING -> "server_stream";
            case BIDI_STREAMING -> "bidi_stream";
            case UNKNOWN -> "unknown";
        };
    }

    /** One method's series, resolved once. */
    private final class MethodSeries {
        final CounterDataPoint started;
        final CounterDataPoint received;
        final CounterDataPoint sent;
        final CounterDataPoint[] handled = new CounterDataPoint[Status.Code.values().length];

        MethodSeries(MethodDescriptor<?, ?> d) {
            String type = typeOf(d.getType());
            String service = d.getServiceName();
            String method = d.getBareMethodName();
            this.started = GrpcMetrics.this.started.labelValues(type, service, method);
            this.received = GrpcMetrics.this.received.labelValues(type, service, method);
            this.sent = GrpcMetrics.this.sent.labelValues(type, service, method);
            for (Status.Code code : Status.Code.values()) {
                handled[code.value()] = GrpcMetrics.this.handled.labelValues(type, service, method,
                        GrpcErrors.goName(code));
            }
        }
    }

    /** One call. gRPC calls a tracer's methods one at a time for a stream, never concurrently. */
    private final class CallTracer extends ServerStreamTracer {
        private final MethodSeries m;

        CallTracer(MethodSeries m) {
            this.m = m;
        }

        @Override
        public void serverCallStarted(ServerCallInfo<?, ?> callInfo) {
            m.started.inc();
        }

        @Override
        public void inboundMessage(int seqNo) {
            m.received.inc();
        }

        @Override
        public void outboundMessage(int seqNo) {
            m.sent.inc();
        }

        @Override
        public void inboundWireSize(long bytes) {
            receivedBytes.inc(bytes);
        }

        @Override
        public void outboundWireSize(long bytes) {
            sentBytes.inc(bytes);
        }

        @Override
        public void streamClosed(Status status) {
            m.handled[status.getCode().value()].inc();
        }
    }
}
