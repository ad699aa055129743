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

/** The registry's {@link ModuleCompiler}: this node's engine, on its WASM pool. */
public final class EngineCompiler implements ModuleCompiler {
  private final WasmEngine engine;
  private final WasmExecutor executor;

  public EngineCompiler(WasmEngine engine, WasmExecutor executor) {
    this.engine = engine;
    this.executor = executor;
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
