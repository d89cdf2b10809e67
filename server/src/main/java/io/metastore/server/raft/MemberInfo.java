package io.metastore.server.raft;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;

import java.io.Serializable;

/**
 * What a member tells others about itself over the Raft transport: its name and client URL,
 * which MemberList reports (the Raft configuration only knows peer addresses).
 */
public final class MemberInfo implements Serializable {
    private static final long serialVersionUID = 1L;

    private String name;
    private String clientUrl;

    public MemberInfo() {
    }

    public MemberInfo(String name, String clientUrl) {
        this.name = name;
        this.clientUrl = clientUrl;
    }

    public String name() {
        return name;
    }

    public String clientUrl() {
        return clientUrl;
    }

    /** The question. */
    public static final class Request implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** Answers {@link Request} with this member's info. */
    public static RpcProcessor<Request> processor(java.util.function.Supplier<MemberInfo> self) {
        return new RpcProcessor<>() {
            @Override
            public void handleRequest(RpcContext ctx, Request request) {
                ctx.sendResponse(self.get());
            }

            @Override
            public String interest() {
                return Request.class.getName();
            }
        };
    }
}
