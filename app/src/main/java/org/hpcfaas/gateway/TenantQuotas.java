package org.hpcfaas.gateway;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.core.BulkBudget;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.InvocationResult;

/**
 * Admission of calls on this gateway, before their bodies are read: the tenant's limit on concurrent
 * invocations (sync, WebSocket and async calls alike; a streamed call counts until its output has ended)
 * and the node's {@link BulkBudget} for the bytes of bodies read whole, which holds with authentication
 * off too.
 */
public final class TenantQuotas {
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final BulkBudget budget;

  public TenantQuotas(BulkBudget budget) {
    this.budget = budget;
  }

  /** A call refused because its tenant is at its concurrency quota. */
  public static final class QuotaExceeded extends RuntimeException {
    QuotaExceeded(String message) {
      super(message);
    }
  }

  /** A body refused because the node's budget for bodies held in memory is spent. */
  public static final class BudgetExhausted extends RuntimeException {
    BudgetExhausted(String message) {
      super(message);
    }
  }

  /** What one admitted call holds (a tenant slot, body bytes), given back once by {@link #release()}. */
  public static final class Admission {
    private final AtomicInteger tenantCount;
    private final long bytes;
    private final BulkBudget budget;
    private final AtomicBoolean released = new AtomicBoolean();

    private Admission(AtomicInteger tenantCount, long bytes, BulkBudget budget) {
      this.tenantCount = tenantCount;
      this.bytes = bytes;
      this.budget = budget;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        if (tenantCount != null) {
          tenantCount.decrementAndGet();
        }
        budget.release(bytes);
      }
    }
  }

  /**
   * Admits a call whose body of up to {@code bodyBytes} will be held in memory; throws
   * {@link QuotaExceeded} or {@link BudgetExhausted} without holding anything.
   */
  public Admission admit(Principal principal, long bodyBytes) {
    AtomicInteger count = null;
    int max = principal.maxConcurrentInvocations();
    if (max > 0) {
      count = inFlight.computeIfAbsent(principal.tenant(), t -> new AtomicInteger());
      if (count.incrementAndGet() > max) {
        count.decrementAndGet();
        throw new QuotaExceeded("tenant " + principal.tenant() + " is at its quota of " + max + " concurrent invocations");
      }
    }
    if (!budget.tryReserve(bodyBytes)) {
      if (count != null) {
        count.decrementAndGet();
      }
      throw new BudgetExhausted("this node holds as many request bodies in memory as it may ("
          + budget.totalBytes() + " bytes, hpcfaas.limits.bulk-memory-budget); retry later or stream the input");
    }
    return new Admission(count, bodyBytes, budget);
  }

  /** Reserves room for a body that is not an invocation (a module being deployed). */
  public Admission reserve(long bodyBytes) {
    if (!budget.tryReserve(bodyBytes)) {
      throw new BudgetExhausted("this node holds as many request bodies in memory as it may ("
          + budget.totalBytes() + " bytes, hpcfaas.limits.bulk-memory-budget); retry later");
    }
    return new Admission(null, bodyBytes, budget);
  }

  /** Admits a call with no body held in memory (streamed), then runs it. */
  public CompletionStage<InvocationResult> invoke(Principal principal, Invoker invoker, FunctionSpec spec, Call call) {
    Admission admission;
    try {
      admission = admit(principal, 0);
    } catch (QuotaExceeded | BudgetExhausted e) {
      return CompletableFuture.failedFuture(e);
    }
    return invoke(admission, invoker, spec, call);
  }

  /** Runs an admitted call and releases its admission when it is over (a streamed output: when it ends). */
  public CompletionStage<InvocationResult> invoke(Admission admission, Invoker invoker, FunctionSpec spec, Call call) {
    CompletionStage<InvocationResult> result;
    try {
      result = invoker.invoke(spec, call);
    } catch (RuntimeException e) {
      admission.release();
      throw e;
    }
    return result.handle((r, error) -> {
      if (r instanceof InvocationResult.Streaming s) {
        return (InvocationResult) new InvocationResult.Streaming(s.node(), s.output().watchTermination((mat, done) -> {
          done.whenComplete((d, e) -> admission.release());
          return mat;
        }));
      }
      admission.release();
      if (error != null) {
        throw error instanceof CompletionException c ? c : new CompletionException(error);
      }
      return r;
    });
  }
}
