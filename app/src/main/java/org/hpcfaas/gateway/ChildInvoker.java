package org.hpcfaas.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.ChildResult;
import org.hpcfaas.core.FunctionCalls;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.GuestParameters;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.core.Limits;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.core.WorkerUnavailable;
import org.hpcfaas.registry.FunctionRegistry;

/**
 * Calls that functions make of other functions ({@code hpcfaas_call}, {@code hpcfaas_spawn}): placed over
 * the cluster as any call, of functions of the caller's own namespace only, no deeper than
 * {@code maxDepth} (a child's id is its parent's with {@code .n} appended), and within the caller's time:
 * a child's time limit is its own or what the caller has left, whichever ends first.
 */
public final class ChildInvoker implements FunctionCalls {
  private final FunctionRegistry registry;
  private final Materializer materializer;
  private final int maxDepth;
  private final long maxOutputBytes;
  private volatile Invoker invoker;

  public ChildInvoker(FunctionRegistry registry, Materializer materializer, int maxDepth, long maxOutputBytes) {
    this.registry = registry;
    this.materializer = materializer;
    this.maxDepth = maxDepth;
    this.maxOutputBytes = maxOutputBytes;
  }

  /** The node's invoker, once it exists: it reaches this node's worker, which runs the callers. */
  public void through(Invoker invoker) {
    this.invoker = invoker;
  }

  /** How deep a call is: 0 for one from a client, n for a call made n calls down. */
  public static int depth(String callId) {
    return (int) callId.chars().filter(c -> c == '.').count();
  }

  @Override
  public CompletionStage<ChildResult> invoke(FunctionSpec parent, String parentId, String childId, String name,
      byte[] input, long deadlineNanos) {
    if (depth(parentId) >= maxDepth) {
      return done(ChildResult.TOO_DEEP, parent.name() + " is " + maxDepth + " calls deep (hpcfaas.calls.max-depth)");
    }
    long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (leftMs <= 0) {
      return done(ChildResult.TIMED_OUT, parent.name() + " has no time left to call " + name);
    }
    var qualified = qualified(parent.name(), name);
    var found = qualified == null ? null : registry.get(qualified).orElse(null);
    if (found == null || invoker == null) {
      return done(ChildResult.NO_FUNCTION, "no function " + name + " in the namespace of " + parent.name());
    }
    var limits = found.limits();
    var spec = found.withLimits(new Limits(limits.memoryMb(), Math.min(limits.timeoutMs(), leftMs), limits.concurrency()));
    return invoker.invoke(spec, new Call(childId, input, null, GuestParameters.none(), false))
        .thenCompose(this::collect)
        .exceptionally(e -> {
          var cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
          return ChildResult.problem(cause instanceof WorkerUnavailable ? ChildResult.UNAVAILABLE : ChildResult.FAILED,
              name + ": " + cause.getMessage());
        });
  }

  /** {@code name} in the namespace of {@code parent}; null when it names another namespace. */
  static String qualified(String parent, String name) {
    int colon = parent.indexOf(':');
    var namespace = colon < 0 ? "" : parent.substring(0, colon + 1);
    if (name.indexOf(':') >= 0) {
      return !namespace.isEmpty() && name.startsWith(namespace) ? name : null;
    }
    return namespace + name;
  }

  private CompletionStage<ChildResult> collect(InvocationResult result) {
    var output = switch (result) {
      case InvocationResult.Completed c -> c.output();
      case InvocationResult.Streaming s -> s.output();
    };
    var outcome = result instanceof InvocationResult.Completed c ? c.outcome() : new Outcome.Succeeded("");
    return output.runWith(Sink.fold(ByteString.emptyByteString(), (all, b) -> {
          if (all.size() + (long) b.size() > maxOutputBytes) {
            throw new IllegalStateException("its output is larger than " + maxOutputBytes + " bytes");
          }
          return all.concat(b);
        }), materializer)
        .thenApply(bytes -> outcome.succeeded() ? new ChildResult(ChildResult.OK, bytes.toArray())
            : ChildResult.problem(ChildResult.FAILED, outcome.toString()));
  }

  private static CompletionStage<ChildResult> done(int status, String problem) {
    return CompletableFuture.completedStage(ChildResult.problem(status, problem));
  }
}
