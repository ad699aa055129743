package org.hpcfaas.gateway;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.Address;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Worker;
import org.hpcfaas.core.WorkerUnavailable;
import org.hpcfaas.transport.Transport;
import org.hpcfaas.worker.WorkerResult;
import org.hpcfaas.worker.WorkerService;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Outcome;

/**
 * What both transports share: the worker is chosen by {@link WorkerPlacement}, the call is counted on
 * it until the worker answers, fails at once if that worker is lost, and is retried once on another
 * worker when its whole input is at hand and either the function was deployed as idempotent or the call
 * surely never started (the worker could not even be reached). A call placed on this node goes straight
 * to its worker; only calls for other nodes take the transport.
 */
public final class PlacedInvoker implements Invoker {
  private final WorkerPlacement placement;
  private final Address self;
  private final WorkerService local;
  private final Transport transport;

  public PlacedInvoker(WorkerPlacement placement, Address self, WorkerService local, Transport transport) {
    this.placement = placement;
    this.self = self;
    this.local = local;
    this.transport = transport;
  }

  private CompletionStage<InvocationResult> send(Worker worker, FunctionSpec spec, Call call) {
    return worker.address().equals(self)
        ? local.run(spec, call).thenApply(WorkerResult::served)
        : transport.send(worker, spec, call);
  }

  @Override
  public CompletionStage<InvocationResult> invoke(FunctionSpec spec, Call call) {
    return attempt(spec, call, call.inputBytes() != null, null);
  }

  private CompletionStage<InvocationResult> attempt(FunctionSpec spec, Call call, boolean mayRetry, Address avoid) {
    var result = new CompletableFuture<InvocationResult>();
    WorkerPlacement.Ticket ticket;
    try {
      ticket = placement.begin(spec.name(), volumesOf(spec), spec.limits().timeoutMs(), result, avoid);
    } catch (WorkerUnavailable e) {
      return CompletableFuture.failedFuture(e);
    }
    send(ticket.worker(), spec, call).whenComplete((answer, error) -> {
      if (error != null) {
        result.completeExceptionally(unwrap(error));
      } else if (answer instanceof InvocationResult.Completed c && c.outcome() instanceof Outcome.Stopped s) {
        result.completeExceptionally(new WorkerUnavailable("worker " + ticket.worker().address()
            + " stopped while running the call (" + s.reason() + ")", false));
      } else {
        result.complete(answer);
      }
    });
    return result.handle((answer, error) -> {
      ticket.end();
      if (error == null) {
        return CompletableFuture.completedStage(answer);
      }
      var cause = unwrap(error);
      boolean retry = mayRetry && cause instanceof WorkerUnavailable w && (w.neverStarted() || spec.idempotent());
      return retry
          ? attempt(spec, call, false, ticket.worker().address())
          : CompletableFuture.<InvocationResult>failedStage(cause);
    }).thenCompose(stage -> stage);
  }

  private static java.util.Set<String> volumesOf(FunctionSpec spec) {
    var volumes = new java.util.HashSet<String>();
    spec.mounts().forEach(m -> volumes.add(m.volume()));
    return volumes;
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
