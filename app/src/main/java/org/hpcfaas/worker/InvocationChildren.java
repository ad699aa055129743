package org.hpcfaas.worker;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hpcfaas.core.BulkBudget;
import org.hpcfaas.core.ChildResult;
import org.hpcfaas.core.FunctionCalls;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.engine.ChildCalls;
import org.hpcfaas.engine.WasmExecutor;

/**
 * The calls one invocation makes of other functions: each one started at once, collected by its handle;
 * the guest waits for one with its WASM slot given up, and no longer than its own time limit. What the
 * children hold on the heap (their inputs while they run, their outputs until the guest collects them)
 * is reserved from the node's bulk budget, so no guest can make a node hold more than configured; it is
 * all given back when the invocation ends, collected or not.
 */
final class InvocationChildren implements ChildCalls, AutoCloseable {
  /** Children one invocation may have started and not yet collected. */
  static final int MAX_OUTSTANDING = 4096;

  private final FunctionCalls invoker;
  private final WasmExecutor executor;
  private final BulkBudget budget;
  private final FunctionSpec parent;
  private final String parentId;
  private final long deadlineNanos;
  private final Map<Integer, CompletableFuture<ChildResult>> started = new HashMap<>();
  /** Bytes reserved for each child's output once it ended, until collected. */
  private final Map<Integer, Long> held = new HashMap<>();
  private int next;
  private boolean closed;

  InvocationChildren(FunctionCalls invoker, WasmExecutor executor, BulkBudget budget, FunctionSpec parent,
      String parentId, long deadlineNanos) {
    this.invoker = invoker;
    this.executor = executor;
    this.budget = budget;
    this.parent = parent;
    this.parentId = parentId;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public synchronized int spawn(String function, byte[] input) {
    if (started.size() >= MAX_OUTSTANDING || !budget.tryReserve(input.length)) {
      return -ChildResult.TOO_MANY;
    }
    int handle = ++next;
    var child = invoker.invoke(parent, parentId, parentId + "." + handle, function, input, deadlineNanos)
        .thenApply(result -> ended(handle, input.length, result))
        .toCompletableFuture();
    started.put(handle, child);
    return handle;
  }

  /** A child ended: its input is given back, its output held (if the budget has room) until collected. */
  private synchronized ChildResult ended(int handle, long inputBytes, ChildResult result) {
    budget.release(inputBytes);
    if (closed) {
      return result;
    }
    long outputBytes = result.output().length;
    if (!budget.tryReserve(outputBytes)) {
      return ChildResult.problem(ChildResult.FAILED, "this node has no memory to spare for the output of child "
          + handle + " (hpcfaas.limits.bulk-memory-budget)");
    }
    held.put(handle, outputBytes);
    return result;
  }

  @Override
  public ChildResult await(int handle) {
    CompletableFuture<ChildResult> child;
    synchronized (this) {
      child = started.remove(handle);
    }
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
    } finally {
      synchronized (this) {
        var bytes = held.remove(handle);
        if (bytes != null) {
          budget.release(bytes);
        }
      }
    }
  }

  /** The invocation ended: outputs never collected are given back; children still running end unheard. */
  @Override
  public synchronized void close() {
    closed = true;
    held.values().forEach(budget::release);
    held.clear();
    started.clear();
  }
}
