package org.hpcfaas.transport.artery;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Worker;
import org.hpcfaas.worker.FunctionActor;

/** The gateway half of {@code mode = cluster}: asks the function's sharded entity on the chosen worker, over Artery. */
final class ClusterInvoker {
  private final ClusterSharding sharding;
  private final Materializer materializer;
  private final FunctionActor.QueueSettings queue;

  ClusterInvoker(ClusterSharding sharding, Materializer materializer, FunctionActor.QueueSettings queue) {
    this.sharding = sharding;
    this.materializer = materializer;
    this.queue = queue;
  }

  CompletionStage<InvocationResult> send(Worker worker, FunctionSpec spec, Call call) {
    var request = InvocationRequest.of(call, materializer);
    return sharding.entityRefFor(FunctionEntity.KEY, FunctionEntity.entityId(spec.name(), worker.address().toString()))
        .<WorkerReply>ask(replyTo -> new FunctionEntity.Invoke(spec, request, replyTo), queue.replyTimeout(spec))
        .thenApply(WorkerReply::result);
  }
}
