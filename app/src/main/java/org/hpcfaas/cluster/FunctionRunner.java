package org.hpcfaas.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import org.hpcfaas.registry.FunctionRegistry;
import org.hpcfaas.registry.FunctionSpec;
import org.hpcfaas.wasm.CompiledModule;
import org.hpcfaas.wasm.InvalidModuleException;
import org.hpcfaas.wasm.Invocation;
import org.hpcfaas.wasm.ModuleKind;
import org.hpcfaas.wasm.Outcome;
import org.hpcfaas.wasm.ReactorPool;
import org.hpcfaas.wasm.WasmEngine;
import org.hpcfaas.wasm.WasmExecutor;

/** The worker side of an invocation: finds the compiled module and runs it on the WASM pool. */
public final class FunctionRunner {
  private final WasmEngine engine;
  private final WasmExecutor executor;
  private final FunctionRegistry registry;
  private final String node;
  private final long maxOutputBytes;

  public FunctionRunner(WasmEngine engine, WasmExecutor executor, FunctionRegistry registry, String node, long maxOutputBytes) {
    this.engine = engine;
    this.executor = executor;
    this.registry = registry;
    this.node = node;
    this.maxOutputBytes = maxOutputBytes;
  }

  public String node() {
    return node;
  }

  public WasmExecutor executor() {
    return executor;
  }

  public ReactorPool newPool(FunctionSpec spec) {
    return new ReactorPool(engine, spec.name());
  }

  /** Runs one bulk invocation; {@code pool} holds the warm instances when the function is a reactor. */
  public CompletionStage<InvocationResult> run(FunctionSpec spec, ReactorPool pool, InvocationRequest request, long queuedMs) {
    return executor.submit(() -> {
      long start = System.nanoTime();
      var output = new ByteArrayOutputStream();
      var inv = new Invocation(request.id(), spec.name(), request.env(), new ByteArrayInputStream(request.input()),
          output, maxOutputBytes);
      Outcome outcome;
      try {
        var module = module(spec);
        outcome = spec.kind() == ModuleKind.REACTOR
            ? pool.run(module, inv, spec.limits().timeoutMs())
            : engine.runCommand(module, inv, spec.limits().timeoutMs());
      } catch (IOException | InvalidModuleException e) {
        outcome = new Outcome.Broken("cannot load " + spec.name() + " v" + spec.version() + ": " + e.getMessage(), "");
      }
      long durationMs = (System.nanoTime() - start) / 1_000_000;
      return new InvocationResult(node, outcome, output.toByteArray(), durationMs, queuedMs);
    });
  }

  private CompiledModule module(FunctionSpec spec) throws IOException, InvalidModuleException {
    var cached = engine.cached(spec.sha256(), spec.limits().memoryMb());
    return cached != null ? cached
        : engine.compile(spec.sha256(), registry.moduleBytes(spec), spec.limits().memoryMb(), spec.limits().timeoutMs());
  }
}
