package org.hpcfaas.cluster;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.hpcfaas.registry.FunctionSpec;

/** {@code mode = cluster}: asks the function's sharded entity, wherever the cluster placed it. */
public final class ShardedInvoker implements Invoker {
  private final ClusterSharding sharding;
  private final Duration queueWait;

  public ShardedInvoker(ClusterSharding sharding, Duration queueWait) {
    this.sharding = sharding;
    this.queueWait = queueWait;
  }

  @Override
  public CompletionStage<InvocationResult> invoke(FunctionSpec spec, InvocationRequest request) {
    var timeout = queueWait.plusMillis(spec.limits().timeoutMs()).plusSeconds(5);
    return sharding.entityRefFor(FunctionActor.KEY, spec.name())
        .ask(replyTo -> new FunctionActor.Invoke(spec, request, replyTo), timeout);
  }
}
