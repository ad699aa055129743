package org.hpcfaas.worker;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.hpcfaas.core.Limits;
import org.hpcfaas.core.ModuleKind;
import org.hpcfaas.engine.InvalidModuleException;
import org.hpcfaas.engine.WasmEngine;
import org.hpcfaas.engine.WasmExecutor;
import org.hpcfaas.registry.DeployRejected;
import org.hpcfaas.registry.ModuleCompiler;

/**
 * The registry's {@link ModuleCompiler}: this node's engine, on its WASM pool; on a worker, modules of
 * versions deployed elsewhere are compiled ahead of their first call here, on the engine's background thread.
 */
public final class EngineCompiler implements ModuleCompiler {
  private final WasmEngine engine;
  private final WasmExecutor executor;
  private final boolean runsFunctions;

  public EngineCompiler(WasmEngine engine, WasmExecutor executor, boolean runsFunctions) {
    this.engine = engine;
    this.executor = executor;
    this.runsFunctions = runsFunctions;
  }

  @Override
  public ModuleKind compile(String sha256, byte[] module, Limits limits) throws DeployRejected {
    try {
      return engine.compile(sha256, module, limits.memoryMb(), limits.timeoutMs()).kind();
    } catch (InvalidModuleException e) {
      throw new DeployRejected(DeployRejected.Reason.MODULE, e.getMessage());
    }
  }

  @Override
  public void compileAhead(String sha256, java.util.concurrent.Callable<byte[]> module, Limits limits) {
    if (runsFunctions) {
      engine.compileAhead(sha256, module, limits.memoryMb(), limits.timeoutMs());
    }
  }

  @Override
  public <T> CompletionStage<T> onPool(String function, Supplier<T> work) {
    return executor.submit(function, work);
  }

  @Override
  public void evict(String sha256) {
    engine.evict(sha256);
  }

  @Override
  public int memoryBudgetMb() {
    return engine.memoryBudgetMb();
  }
}
