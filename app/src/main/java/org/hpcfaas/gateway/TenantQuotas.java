package org.hpcfaas.gateway;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.FunctionSpec;

/**
 * Per-tenant limit on concurrent invocations, counted on this gateway (sync, WebSocket and async calls
 * alike); a streamed call counts until its output has ended.
 */
public final class TenantQuotas {
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /** A call refused because its tenant is at its concurrency quota. */
  public static final class QuotaExceeded extends RuntimeException {
    QuotaExceeded(String message) {
      super(message);
    }
  }

  public CompletionStage<InvocationResult> invoke(Principal principal, Invoker invoker, FunctionSpec spec, Call call) {
    int max = principal.maxConcurrentInvocations();
    if (max <= 0) {
      return invoker.invoke(spec, call);
    }
    var count = inFlight.computeIfAbsent(principal.tenant(), t -> new AtomicInteger());
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      return CompletableFuture.failedFuture(new QuotaExceeded("tenant " + principal.tenant()
          + " is at its quota of " + max + " concurrent invocations"));
    }
    return invoker.invoke(spec, call).handle((result, error) -> {
      if (result instanceof InvocationResult.Streaming s) {
        return (InvocationResult) new InvocationResult.Streaming(s.node(), s.output().watchTermination((mat, done) -> {
          done.whenComplete((d, e) -> count.decrementAndGet());
          return mat;
        }));
      }
      count.decrementAndGet();
      if (error != null) {
        throw error instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(error);
      }
      return result;
    });
  }
}
