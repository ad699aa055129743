package org.hpcfaas.registry;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.hpcfaas.core.Limits;
import org.hpcfaas.core.ModuleKind;

/** What the registry needs of the engine: a module validated and compiled before it is accepted, and forgotten after. */
public interface ModuleCompiler {
  /** Validates and compiles a module for its limits; called on the pool of {@link #onPool}. */
  ModuleKind compile(String sha256, byte[] module, Limits limits) throws DeployRejected;

  /** Runs {@code work} on the threads that run WebAssembly, where compiling belongs. */
  <T> CompletionStage<T> onPool(String function, Supplier<T> work);

  /** Forgets the compiled code of a module that no deployed version uses any more. */
  void evict(String sha256);

  /** The memory all live instances of this node may reserve; no function may ask for more. */
  int memoryBudgetMb();
}
