package io.metastore.server.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/** What the client port answers over HTTP/1.1. */
public final class ClientApi implements HttpRoutes {
    @Override
    public Exchange open(HttpRequest head, HttpResponder out) {
        out.text(HttpResponseStatus.NOT_FOUND, "404 page not found\n");
        return IGNORE_BODY;
    }
}
