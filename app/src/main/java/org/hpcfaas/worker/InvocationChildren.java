package org.hpcfaas.worker;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hpcfaas.core.ChildResult;
import org.hpcfaas.core.FunctionCalls;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.engine.ChildCalls;
import org.hpcfaas.engine.WasmExecutor;

/**
 * The calls one invocation makes of other functions: each one started at once, collected by its handle;
 * the guest waits for one with its WASM slot given up, and no longer than its own time limit.
 */
final class InvocationChildren implements ChildCalls {
  /** Children one invocation may have started and not yet collected. */
  static final int MAX_OUTSTANDING = 4096;

  private final FunctionCalls invoker;
  private final WasmExecutor executor;
  private final FunctionSpec parent;
  private final String parentId;
  private final long deadlineNanos;
  private final Map<Integer, CompletableFuture<ChildResult>> started = new HashMap<>();
  private int next;

  InvocationChildren(FunctionCalls invoker, WasmExecutor executor, FunctionSpec parent, String parentId,
      long deadlineNanos) {
    this.invoker = invoker;
    this.executor = executor;
    this.parent = parent;
    this.parentId = parentId;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public int spawn(String function, byte[] input) {
    if (started.size() >= MAX_OUTSTANDING) {
      return -ChildResult.TOO_MANY;
    }
    int handle = ++next;
    started.put(handle, invoker.invoke(parent, parentId, parentId + "." + handle, function, input, deadlineNanos)
        .toCompletableFuture());
    return handle;
  }

  @Override
  public ChildResult await(int handle) {
    var child = started.remove(handle);
    if (child == null) {
      return ChildResult.problem(ChildResult.BAD_HANDLE, "no call with handle " + handle + " is waiting");
    }
    try {
      return executor.awayFromSlot(() -> child.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return ChildResult.problem(ChildResult.TIMED_OUT, parent.name() + " ran out of time waiting");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ChildResult.problem(ChildResult.TIMED_OUT, "interrupted while waiting");
    } catch (Exception e) {
      return ChildResult.problem(ChildResult.FAILED, String.valueOf(e.getMessage()));
    }
  }
}
