package io.metastore.server.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** What the client port answers over HTTP/1.1: health, version, metrics and etcd's JSON gateway. */
public final class ClientApi implements HttpRoutes {
    private final StatusRoutes status;
    private final Gateway gateway;

    public ClientApi(StatusRoutes status, Gateway gateway) {
        this.status = status;
        this.gateway = gateway;
    }

    @Override
    public Exchange open(HttpRequest head, HttpResponder out) {
        String path = StatusRoutes.path(head);
        if (Gateway.owns(path)) {
            return gateway.open(head, path, out);
        }
        if (!status.serve(head, path, out)) {
            out.text(HttpResponseStatus.NOT_FOUND, "404 page not found\n");
        }
        return IGNORE_BODY;
    }
}
