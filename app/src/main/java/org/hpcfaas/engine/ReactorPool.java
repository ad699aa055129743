package org.hpcfaas.engine;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hpcfaas.core.Outcome;

/**
 * Warm instances of one reactor function version (the owner makes a new pool for a new version). A call borrows an idle instance (or creates one),
 * so no two calls ever share an instance; an instance goes back only after a call that returned.
 */
public final class ReactorPool implements AutoCloseable, MemoryBudget.Evictable {
  private final WasmEngine engine;
  private final String function;
  private final ConcurrentLinkedDeque<ReactorInstance> idle = new ConcurrentLinkedDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  public ReactorPool(WasmEngine engine, String function) {
    this.engine = engine;
    this.function = function;
    engine.budget().register(this);
  }

  public int warm() {
    return idle.size();
  }

  /** Runs one invocation on a warm instance; call it on a WASM thread. */
  public Outcome run(CompiledModule module, Invocation inv, long timeoutMs) {
    var instance = idle.pollFirst();
    if (instance == null) {
      try {
        instance = engine.newReactor(module, inv, timeoutMs);
      } catch (InvalidModuleException e) {
        return new Outcome.Trapped(e.getMessage(), "");
      }
      if (instance == null) {
        return new Outcome.Overloaded("no room in the node's memory budget for another warm instance of " + function, "");
      }
    }
    var outcome = engine.call(instance, inv, timeoutMs);
    // A handler that returned an error code left its instance in a defined state; a trap, a timeout or
    // a memory failure did not.
    if (outcome instanceof Outcome.Succeeded || outcome instanceof Outcome.Exited) {
      idle.addFirst(instance);
      if (closed.get()) {
        evictIdle();
      }
    } else {
      engine.discard(instance);
    }
    return outcome;
  }

  @Override
  public void evictIdle() {
    ReactorInstance instance;
    while ((instance = idle.pollLast()) != null) {
      engine.discard(instance);
    }
  }

  /** Releases every idle instance; instances still running are discarded when their call ends. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      engine.budget().unregister(this);
      evictIdle();
    }
  }
}
