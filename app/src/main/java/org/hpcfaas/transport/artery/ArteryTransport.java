package org.hpcfaas.transport.artery;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.server.Route;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Worker;
import org.hpcfaas.transport.Transport;
import org.hpcfaas.worker.WorkerService;

/** {@code mode = cluster}: gateways reach workers' sharded {@link FunctionEntity} actors over Pekko Artery. */
public final class ArteryTransport implements Transport {
  private final Parts parts;
  private final ClusterSharding sharding;
  private final ClusterInvoker invoker;

  public ArteryTransport(Parts parts) {
    this.parts = parts;
    this.sharding = ClusterSharding.get(parts.system());
    this.invoker = new ClusterInvoker(sharding, parts.materializer(), parts.queue());
  }

  @Override
  public CompletionStage<InvocationResult> send(Worker worker, FunctionSpec spec, Call call) {
    return invoker.send(worker, spec, call);
  }

  @Override
  public Optional<Route> workerRoutes() {
    return Optional.empty();
  }

  @Override
  public Map<String, Behavior<?>> actors() {
    return Map.of();
  }

  /** Once this worker's shard is allocated here (a ping from this node puts it here), gateways may send to it. */
  @Override
  public CompletionStage<Done> start(WorkerService worker, boolean runsFunctions) {
    FunctionEntity.initSharding(parts.system(), worker, parts.materializer(), parts.node());
    return runsFunctions
        ? sharding.entityRefFor(FunctionEntity.KEY, FunctionEntity.pingEntity(parts.node()))
            .ask(FunctionEntity.Ping::new, Duration.ofSeconds(60))
        : CompletableFuture.completedFuture(Done.getInstance());
  }
}
