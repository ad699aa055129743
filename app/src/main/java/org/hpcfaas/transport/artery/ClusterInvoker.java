package org.hpcfaas.transport.artery;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Payload;
import org.hpcfaas.gateway.PlacedInvoker;
import org.hpcfaas.gateway.Worker;
import org.hpcfaas.gateway.WorkerPlacement;
import org.hpcfaas.worker.FunctionActor;

/** {@code mode = cluster}: asks the function's sharded entity on the chosen worker, over Artery. */
public final class ClusterInvoker extends PlacedInvoker {
  private final ClusterSharding sharding;
  private final Materializer materializer;
  private final Duration queueWait;

  public ClusterInvoker(WorkerPlacement placement, ClusterSharding sharding, Materializer materializer, Duration queueWait) {
    super(placement);
    this.sharding = sharding;
    this.materializer = materializer;
    this.queueWait = queueWait;
  }

  @Override
  protected CompletionStage<InvocationResult> send(Worker worker, FunctionSpec spec, Call call) {
    var input = call.inputBytes() != null
        ? Payload.of(call.inputBytes(), materializer)
        : Payload.of(call.inputStream(), materializer);
    var request = new InvocationRequest(call.id(), input, call.env(), call.streamOutput());
    var timeout = queueWait.plusMillis(spec.limits().timeoutMs()).plusSeconds(5);
    return sharding.entityRefFor(FunctionActor.KEY, FunctionActor.entityId(spec.name(), worker.address().toString()))
        .<WorkerReply>ask(replyTo -> new FunctionActor.Invoke(spec, request, replyTo), timeout)
        .thenApply(InvocationResult::of);
  }
}
