package io.metastore.server.raft;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;

import java.util.function.Supplier;

/** Answers a {@link MemberInfoRequest} with this member's {@link MemberInfo}. */
public final class MemberInfoProcessor implements RpcProcessor<MemberInfoRequest> {
    private final Supplier<MemberInfo> self;

    public MemberInfoProcessor(Supplier<MemberInfo> self) {
        this.self = self;
    }

    @Override
    public void handleRequest(RpcContext ctx, MemberInfoRequest request) {
        ctx.sendResponse(self.get());
    }

    @Override
    public String interest() {
        return MemberInfoRequest.class.getName();
    }
}
