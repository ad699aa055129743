package org.hpcfaas.engine;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.io.IOAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.hpcfaas.core.Outcome;

/**
 * The node's one GraalWasm engine: validates and compiles modules once per (sha256, memory cap), runs
 * command modules in a fresh Context per call and creates warm reactor instances. Callers run it on
 * the WASM thread pool ({@link WasmExecutor}), never on actor or HTTP threads.
 */
public final class WasmEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WasmEngine.class);
  private static final String OPTIMIZING_RUNTIME_MISSING = "Interpreted";

  private record CacheKey(String sha256, int memoryMb) {}

  private final Engine engine;
  private final EngineSettings settings;
  private final Watchdog watchdog;
  private final MemoryBudget budget;
  private final WasiShim shim = new WasiShim();
  /** Scratch directories of ended command calls, emptied, for the next calls (one per call running at most). */
  private final java.util.concurrent.ConcurrentLinkedDeque<ScratchSpace> idleScratch =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  private final Map<CacheKey, CompiledModule> compiled = new ConcurrentHashMap<>();
  private final WarmUp warmUp;
  private final ReadyCommands ready;

  public WasmEngine(EngineSettings settings) {
    this.settings = settings;
    this.watchdog = new Watchdog(settings.stallAllowanceMs());
    this.budget = new MemoryBudget(settings.memoryBudgetMb());
    var builder = Engine.newBuilder("wasm").option("engine.WarnInterpreterOnly", "false");
    if (!settings.engineOptions().isEmpty()) {
      builder.allowExperimentalOptions(true).options(settings.engineOptions());
    }
    this.engine = builder.build();
    this.warmUp = new WarmUp(this, settings.warmUp());
    this.ready = new ReadyCommands(settings.readyInstances(), budget, new ReadyCommands.Maker() {
      @Override
      public ReadyCommand make(CompiledModule module, List<Preopen> preopens) {
        return makeReady(module, preopens);
      }

      @Override
      public void close(ReadyCommand instance) {
        closeReady(instance);
      }
    });
  }

  /** The Truffle runtime in use: "GraalVM CE" with the optimizing JIT, "Interpreted" without it. */
  public String runtimeName() {
    return engine.getImplementationName();
  }

  public boolean optimizing() {
    return !OPTIMIZING_RUNTIME_MISSING.equalsIgnoreCase(runtimeName());
  }

  public void logRuntime() {
    if (optimizing()) {
      log.info("WebAssembly runtime: GraalWasm {} on {} (optimizing JIT active)", engine.getVersion(), runtimeName());
    } else {
      log.error("""
          !!! WebAssembly runtime: GraalWasm {} is INTERPRETED, 60-200x slower than with the Graal JIT.
          !!! Start the node with ./hpcfaas (it sets -XX:+EnableJVMCI --upgrade-module-path=...compiler.jar
          !!! --module-path=<graal jars>), or add those flags to your java command line.""", engine.getVersion());
    }
  }

  public int memoryBudgetMb() {
    return budget.totalMb();
  }

  public int memoryFreeMb() {
    return budget.freeMb();
  }

  /** The compiled module for these bytes and memory cap, if it was compiled before. */
  public CompiledModule cached(String sha256, int memoryMb) {
    return compiled.get(new CacheKey(sha256, memoryMb));
  }

  /**
   * Validates a module (structure, exports, memory minimum, linking against WASI) and compiles it with
   * its memory capped at {@code memoryMb}. Instantiation may run the module's start function, so it is
   * watched with {@code timeoutMs} like any call.
   */
  public CompiledModule compile(String sha256, byte[] module, int memoryMb, long timeoutMs) throws InvalidModuleException {
    var key = new CacheKey(sha256, memoryMb);
    var known = compiled.get(key);
    if (known != null) {
      return known;
    }
    var binary = WasmBinary.parse(module);
    var kind = binary.kind();
    long maxPages = memoryMb * 1024L * 1024L / WasmBinary.PAGE_BYTES;
    boolean shimmed = binary.needsShim();
    byte[] runnable = shimmed ? binary.wiredToShim(maxPages) : binary.withMemoryCap(maxPages);
    var source = Source.newBuilder("wasm", ByteSequence.create(runnable), sha256.substring(0, 12) + ".wasm")
        .cached(true)
        .buildLiteral();
    var candidate = new CompiledModule(sha256, memoryMb, kind, binary.initialPages(), source,
        shimmed ? shim.source(binary.cappedMemory(maxPages)) : null, binary.runsAtInstantiation());
    validate(candidate, timeoutMs);
    var previous = compiled.putIfAbsent(key, candidate);
    if (previous != null) {
      return previous;
    }
    warmUp.submit(candidate, timeoutMs);
    return candidate;
  }

  /** Forgets compiled code for a module (after its function was deleted or replaced). */
  public void evict(String sha256) {
    compiled.keySet().removeIf(k -> k.sha256().equals(sha256));
    ready.evict(sha256);
  }

  private void validate(CompiledModule module, long timeoutMs) throws InvalidModuleException {
    var err = new StderrTail(settings.stderrTailBytes());
    var hints = new PathCallHints();
    var argv = List.of("validate");
    var ctx = newContext(InputStream.nullInputStream(), OutputStream.nullOutputStream(), err, argv, Map.of(), List.of(),
        null, hints);
    var watch = watchdog.watch(ctx, timeoutMs);
    try {
      WasiShim.instantiate(ctx, module, StdinReadiness.ALWAYS, hints, ChildCalls.NONE, new BoundArguments(argv, Map.of()));
    } catch (PolyglotException e) {
      throw new InvalidModuleException(watch.timedOut()
          ? "the module's start function ran longer than " + timeoutMs + " ms"
          : "GraalWasm rejected the module: " + e.getMessage());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidModuleException("GraalWasm rejected the module: " + e.getMessage());
    } finally {
      watch.done();
      closeQuietly(ctx);
    }
  }

  /** Modules waiting for or in their background warm-up. */
  public int warmingUp() {
    return warmUp.pending();
  }

  /** Warm-up calls run so far, all modules together. */
  public long warmUpCalls() {
    return warmUp.calls();
  }

  /**
   * Runs a command module in a fresh instance: {@code _start}, exit code 0 is success. The instance is one
   * made ahead of the call when one is ready ({@link ReadyCommands}), else it is made now.
   */
  public Outcome runCommand(CompiledModule module, Invocation inv, long timeoutMs) {
    var instance = ready.take(module, inv.preopens());
    if (instance != null) {
      return runReady(instance, inv, timeoutMs);
    }
    if (!reserve(module.memoryMb())) {
      return overloaded(module);
    }
    return runReserved(module, inv, timeoutMs);
  }

  /** Command instances ready now, all modules together. */
  public int readyInstances() {
    return ready.ready();
  }

  /** Command calls that found an instance ready, and those that made their own. */
  public long readyHits() {
    return ready.hits();
  }

  public long readyMisses() {
    return ready.misses();
  }

  /** {@link #runCommand} once the module's memory is reserved; releases it. */
  Outcome runReserved(CompiledModule module, Invocation inv, long timeoutMs) {
    var err = new StderrTail(settings.stderrTailBytes());
    var probe = new MemoryProbe();
    err.onWrite(probe::sample);
    var control = new CallControl();
    var in = new GuardedInput(inv.stdin(), control);
    var out = new CappedOutput(inv.stdout(), inv.outputLimit(), control);
    var hints = new PathCallHints();
    ScratchSpace scratch = null;
    Context ctx;
    try {
      scratch = takeScratch();
      ctx = newContext(in, out, err, inv.argv(), inv.env(), inv.preopens(), scratch, hints);
    } catch (RuntimeException e) {
      if (scratch != null) {
        scratch.close();
      }
      budget.release(module.memoryMb());
      return new Outcome.Broken("cannot set up the call's sandbox: " + e.getMessage(), "");
    }
    try {
      var guards = new GuestCall.Guards(control.bind(watchdog.watch(ctx, timeoutMs)), in, out, inv.outputLimit(), timeoutMs);
      return GuestCall.run(() -> {
        Value exports = WasiShim.instantiate(ctx, module, in, hints, inv.children(),
            new BoundArguments(inv.argv(), inv.env()));
        probe.attach(exports);
        exports.getMember("_start").executeVoid();
        return 0;
      }, guards, err, probe, module.memoryMb(), settings.memoryCapMargin());
    } finally {
      closeQuietly(ctx);
      giveBack(scratch);
      budget.release(module.memoryMb());
    }
  }

  /** Runs a call in an instance made ahead of it, whose memory is reserved already; retires the instance. */
  private Outcome runReady(ReadyCommand instance, Invocation inv, long timeoutMs) {
    instance.arguments().bind(inv.argv(), inv.env());
    try {
      return runBound(instance.context(), instance.streams(), instance.children(), instance.stderr(), instance.probe(),
          instance.module(), inv, timeoutMs, () -> {
            instance.start().executeVoid();
            return 0;
          });
    } finally {
      ready.retire(instance);
    }
  }

  /**
   * Runs {@code guest} in an instance made before this call (a ready command or a warm reactor): binds the
   * call's stdio and child calls for its duration and watches it as any call.
   */
  private Outcome runBound(Context ctx, SwitchableStreams streams, BoundChildCalls children, StderrTail err,
      MemoryProbe probe, CompiledModule module, Invocation inv, long timeoutMs, java.util.function.IntSupplier guest) {
    var control = new CallControl();
    var in = new GuardedInput(inv.stdin(), control);
    var out = new CappedOutput(inv.stdout(), inv.outputLimit(), control);
    streams.bind(in, out);
    children.bind(inv.children());
    try {
      var guards = new GuestCall.Guards(control.bind(watchdog.watch(ctx, timeoutMs)), in, out, inv.outputLimit(),
          timeoutMs);
      return GuestCall.run(guest, guards, err, probe, module.memoryMb(), settings.memoryCapMargin());
    } finally {
      streams.unbind();
      children.unbind();
    }
  }

  /**
   * A command instance for a later call with these mounts: Context, shim and guest made and linked, stdio,
   * argv, environment and child calls left to bind. Its module's memory is reserved by the caller.
   */
  private ReadyCommand makeReady(CompiledModule module, List<Preopen> preopens) {
    var streams = new SwitchableStreams();
    var err = new StderrTail(settings.stderrTailBytes());
    var probe = new MemoryProbe();
    err.onWrite(probe::sample);
    var hints = new PathCallHints();
    var scratch = takeScratch();
    Context ctx;
    try {
      ctx = newContext(streams.stdin, streams.stdout, err, List.of(), Map.of(), preopens, scratch, hints);
    } catch (RuntimeException e) {
      giveBack(scratch);
      throw e;
    }
    try {
      var arguments = new BoundArguments();
      var children = new BoundChildCalls();
      Value exports = WasiShim.instantiate(ctx, module, streams.readinessOfStdin, hints, children, arguments);
      probe.attach(exports);
      return new ReadyCommand(module, preopens, ctx, exports.getMember("_start"), streams, arguments, children, err, probe,
          scratch);
    } catch (RuntimeException e) {
      closeQuietly(ctx);
      giveBack(scratch);
      throw e;
    }
  }

  private void closeReady(ReadyCommand instance) {
    closeQuietly(instance.context());
    giveBack(instance.scratch());
    budget.release(instance.module().memoryMb());
  }

  /** An empty scratch directory: one an ended call left (its context closed), or a new one. */
  private ScratchSpace takeScratch() {
    for (var idle = idleScratch.pollFirst(); idle != null; idle = idleScratch.pollFirst()) {
      if (java.nio.file.Files.isDirectory(idle.dir())) {
        return idle;
      }
      idle.close();
    }
    return new ScratchSpace(settings.scratchDir(), settings.scratchMaxBytes());
  }

  /** Empties a command call's scratch directory for a later call (of any function), or removes it. */
  private void giveBack(ScratchSpace scratch) {
    if (scratch.clear()) {
      idleScratch.addFirst(scratch);
    } else {
      scratch.close();
    }
  }

  /**
   * Creates a warm reactor instance (runs {@code _initialize} once), or null when no memory is free. Its
   * argv, environment and mounts are those of {@code first}, the call it is made for, and stay with it.
   */
  ReactorInstance newReactor(CompiledModule module, Invocation first, long timeoutMs) throws InvalidModuleException {
    if (!reserve(module.memoryMb())) {
      return null;
    }
    return newReactorReserved(module, first, timeoutMs);
  }

  /** {@link #newReactor} once the module's memory is reserved; releases it when it fails. */
  ReactorInstance newReactorReserved(CompiledModule module, Invocation first, long timeoutMs) throws InvalidModuleException {
    var streams = new SwitchableStreams();
    var err = new StderrTail(settings.stderrTailBytes());
    var probe = new MemoryProbe();
    err.onWrite(probe::sample);
    var hints = new PathCallHints();
    ScratchSpace scratch;
    Context ctx;
    try {
      scratch = new ScratchSpace(settings.scratchDir(), settings.scratchMaxBytes());
      try {
        ctx = newContext(streams.stdin, streams.stdout, err, first.argv(), first.env(), first.preopens(), scratch, hints);
      } catch (RuntimeException e) {
        scratch.close();
        throw e;
      }
    } catch (RuntimeException e) {
      budget.release(module.memoryMb());
      throw new InvalidModuleException("cannot set up the instance's sandbox: " + e.getMessage());
    }
    var watch = watchdog.watch(ctx, timeoutMs);
    try {
      var children = new BoundChildCalls();
      Value exports = WasiShim.instantiate(ctx, module, streams.readinessOfStdin, hints, children,
          new BoundArguments(first.argv(), first.env()));
      probe.attach(exports);
      Value init = exports.getMember("_initialize");
      if (init != null && init.canExecute()) {
        init.executeVoid();
      }
      return new ReactorInstance(this, module, ctx, exports.getMember("hpcfaas_handle"), streams, err, probe, scratch,
          children);
    } catch (PolyglotException e) {
      closeQuietly(ctx);
      scratch.close();
      budget.release(module.memoryMb());
      throw new InvalidModuleException(watch.timedOut()
          ? "_initialize ran longer than " + timeoutMs + " ms"
          : "_initialize failed: " + e.getMessage() + (err.text().isEmpty() ? "" : "\n" + err.text()));
    } finally {
      watch.done();
    }
  }

  /** Calls a warm instance's handler once; the caller decides whether the instance may be reused. */
  Outcome call(ReactorInstance instance, Invocation inv, long timeoutMs) {
    instance.stderr().reset();
    instance.probe().restart();
    try {
      return runBound(instance.context(), instance.streams(), instance.children(), instance.stderr(), instance.probe(),
          instance.module(), inv, timeoutMs, () -> instance.handle().execute().asInt());
    } finally {
      instance.scratch().clear();
    }
  }

  void discard(ReactorInstance instance) {
    closeQuietly(instance.context());
    instance.scratch().close();
    budget.release(instance.module().memoryMb());
  }

  MemoryBudget budget() {
    return budget;
  }

  private boolean reserve(int memoryMb) {
    try {
      return budget.reserve(memoryMb, settings.memoryWaitMs());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Outcome overloaded(CompiledModule module) {
    return new Outcome.Overloaded("no room in the node's memory budget of " + budget.totalMb() + " MiB for another "
        + module.memoryMb() + " MiB instance within " + settings.memoryWaitMs() + " ms", "");
  }

  /**
   * A Context for one guest: exactly this argv and environment (for a guest without the shim; a shimmed
   * guest gets its own from {@link BoundArguments}), and no host access but its preopens (in order, from
   * fd 3) and, after them, its scratch directory at /tmp.
   */
  private Context newContext(InputStream in, OutputStream out, OutputStream err, List<String> argv,
      Map<String, String> env, List<Preopen> preopens, ScratchSpace scratch, PathCallHints hints) {
    var builder = Context.newBuilder("wasm")
        .engine(engine)
        .option("wasm.Builtins", "wasi_snapshot_preview1")
        .in(in)
        .out(out)
        .err(err)
        .environment(env)
        .arguments("wasm", argv.toArray(String[]::new));
    if (scratch != null) {
      var dirs = new ArrayList<String>();
      preopens.forEach(p -> dirs.add(p.guestPath() + "::" + p.hostPath()));
      dirs.add(Preopen.SCRATCH + "::" + scratch.dir());
      try {
        builder.option("wasm.WasiMapDirs", String.join(",", dirs))
            .allowIO(IOAccess.newBuilder().fileSystem(new ConfinedFileSystem(preopens, scratch, hints)).build());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("a mount's directory is not there: " + e.getMessage(), e);
      }
    }
    return builder.build();
  }

  private static void closeQuietly(Context ctx) {
    try {
      ctx.close();
    } catch (PolyglotException | IllegalStateException ignored) {
      // A context that exited or was cancelled refuses even close(); it is released all the same.
    }
  }

  @Override
  public void close() {
    warmUp.close();
    ready.close();
    watchdog.close();
    engine.close(true);
    for (var idle = idleScratch.pollFirst(); idle != null; idle = idleScratch.pollFirst()) {
      idle.close();
    }
  }
}
