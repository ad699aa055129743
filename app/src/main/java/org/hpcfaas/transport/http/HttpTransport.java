package org.hpcfaas.transport.http;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.http.javadsl.server.Route;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Worker;
import org.hpcfaas.transport.Transport;
import org.hpcfaas.worker.WorkerService;

/**
 * {@code mode = http}, the baseline: gateways reach workers over HTTP ({@link HttpInvoker}), each worker
 * serves its internal endpoint ({@link WorkerRoutes}), and only holders of the cluster's
 * {@link InternalKey} may call it.
 */
public final class HttpTransport implements Transport {
  private final InternalKey internalKey;
  private final Parts parts;
  private final HttpInvoker invoker;
  private volatile WorkerRoutes routes;

  public HttpTransport(Parts parts) {
    this.parts = parts;
    this.internalKey = new InternalKey(parts.internalKey());
    this.invoker = new HttpInvoker(parts.system(), internalKey, parts.json(), parts.materializer());
  }

  @Override
  public CompletionStage<InvocationResult> send(Worker worker, FunctionSpec spec, Call call) {
    return invoker.send(worker, spec, call);
  }

  @Override
  public Optional<Route> workerRoutes() {
    return Optional.of(routes.route());
  }

  @Override
  public Map<String, Behavior<?>> actors() {
    return Map.of();
  }

  /** Gateways call this worker only once it announces itself ready, after the HTTP API (and this endpoint) is bound. */
  @Override
  public CompletionStage<Done> start(WorkerService worker, boolean runsFunctions) {
    routes = new WorkerRoutes(internalKey, worker, parts.json(), parts.materializer(), parts.bodyTimeout());
    return CompletableFuture.completedFuture(Done.getInstance());
  }
}
