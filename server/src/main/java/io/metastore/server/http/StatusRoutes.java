package io.metastore.server.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * {@code /health}, {@code /version} and {@code /metrics}, answered as etcd 3.4 answers them on
 * both listeners. etcd 3.4 has no {@code /readiness} or {@code /livez}; neither has this server.
 */
public final class StatusRoutes {
    static final String HEALTHY = "{\"health\":\"true\"}";
    /** Go's {@code http.Error} adds the newline. */
    static final String UNHEALTHY = "{\"health\":\"false\"}\n";

    private final Health health;
    private final String version;
    private final Consumer<OutputStream> metrics;

    /**
     * @param serverVersion the version Maintenance Status reports ({@code 3.4.0})
     * @param metrics       writes the Prometheus text format; {@code null}: {@code /metrics} is 404
     */
    public StatusRoutes(Health health, String serverVersion, Consumer<OutputStream> metrics) {
        this.health = health;
        String[] parts = serverVersion.split("\\.");
        String cluster = parts.length >= 2 ? parts[0] + "." + parts[1] + ".0" : serverVersion;
        this.version = "{\"etcdserver\":\"" + serverVersion + "\",\"etcdcluster\":\"" + cluster + "\"}";
        this.metrics = metrics;
    }

    /** Answers {@code head} if it is one of these paths; {@code false} leaves it to the caller. */
    boolean serve(HttpRequest head, String path, HttpResponder out) {
        switch (path) {
            case "/health" -> health.check().thenAccept(ok -> {
                if (ok) {
                    out.text(HttpResponseStatus.OK, HEALTHY);
                } else {
                    out.text(HttpResponseStatus.SERVICE_UNAVAILABLE, UNHEALTHY);
                }
            });
            case "/version" -> out.json(HttpResponseStatus.OK, version);
            case "/metrics" -> {
                if (metrics == null) {
                    out.text(HttpResponseStatus.NOT_FOUND, "404 page not found\n");
                } else {
                    ByteArrayOutputStream text = new ByteArrayOutputStream();
                    metrics.accept(text);
                    out.respond(HttpResponseStatus.OK, io.metastore.server.metrics.Metrics.CONTENT_TYPE, text.toByteArray());
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The path of a request target, without its query. */
    static String path(HttpRequest head) {
        String uri = head.uri();
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
