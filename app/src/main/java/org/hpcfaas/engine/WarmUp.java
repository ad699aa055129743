package org.hpcfaas.engine;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hpcfaas.core.ModuleKind;
import org.hpcfaas.core.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each newly compiled module a few hundred times in the background, so that Truffle compiles its hot
 * functions before (or while) the first real calls arrive instead of a minute into them. A warm-up call
 * cannot have side effects outside itself: it gets no mounts (no preopens), a throwaway /tmp, no
 * environment, a fixed line on stdin and a discarded stdout; a reactor is warmed on an instance of its own
 * that is thrown away afterwards. It takes memory from the budget only when it is free at once, and stops
 * at the first call that does not end normally (a trap, a time limit, an engine error).
 */
public final class WarmUp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
  private static final long OUTPUT_LIMIT = 64 * 1024;

  /** At most {@code calls} calls and {@code time} per module, each fed {@code input}; {@code calls = 0}: off. */
  public record Settings(int calls, Duration time, String input) {
    public static final Settings OFF = new Settings(0, Duration.ZERO, "");
  }

  private final WasmEngine engine;
  private final Settings settings;
  private final byte[] input;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong calls = new AtomicLong();
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    var t = new Thread(r, "hpcfaas-warm-up");
    t.setDaemon(true);
    return t;
  });

  WarmUp(WasmEngine engine, Settings settings) {
    this.engine = engine;
    this.settings = settings;
    this.input = settings.input().getBytes(StandardCharsets.UTF_8);
  }

  int pending() {
    return pending.get();
  }

  long calls() {
    return calls.get();
  }

  void submit(CompiledModule module, long timeoutMs) {
    if (settings.calls() <= 0) {
      return;
    }
    pending.incrementAndGet();
    try {
      thread.execute(() -> {
        try {
          warm(module, timeoutMs);
        } catch (RuntimeException e) {
          log.debug("warm-up of {} stopped: {}", module.sha256(), e.toString());
        } finally {
          pending.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      pending.decrementAndGet();
    }
  }

  private void warm(CompiledModule module, long timeoutMs) {
    long start = System.nanoTime();
    long deadline = start + settings.time().toNanos();
    int done = module.kind() == ModuleKind.REACTOR
        ? warmReactor(module, timeoutMs, deadline)
        : warmCommand(module, timeoutMs, deadline);
    log.debug("warmed {} with {} calls in {} ms", module.sha256(), done, (System.nanoTime() - start) / 1_000_000);
  }

  private int warmCommand(CompiledModule module, long timeoutMs, long deadline) {
    int n = 0;
    while (n < settings.calls() && stillWanted(module, deadline) && engine.budget().tryReserve(module.memoryMb())) {
      var outcome = engine.runReserved(module, invocation(), callLimit(timeoutMs, deadline));
      n++;
      calls.incrementAndGet();
      if (!normal(outcome)) {
        break;
      }
    }
    return n;
  }

  private int warmReactor(CompiledModule module, long timeoutMs, long deadline) {
    if (!stillWanted(module, deadline) || !engine.budget().tryReserve(module.memoryMb())) {
      return 0;
    }
    ReactorInstance instance;
    try {
      instance = engine.newReactorReserved(module, invocation(), callLimit(timeoutMs, deadline));
    } catch (InvalidModuleException e) {
      return 0;
    }
    int n = 0;
    try {
      while (n < settings.calls() && stillWanted(module, deadline)) {
        var outcome = engine.call(instance, invocation(), callLimit(timeoutMs, deadline));
        n++;
        calls.incrementAndGet();
        if (!normal(outcome)) {
          break;
        }
      }
    } finally {
      engine.discard(instance);
    }
    return n;
  }

  /** Not past the deadline, the engine open, and the module not evicted (its function deleted or replaced). */
  private boolean stillWanted(CompiledModule module, long deadline) {
    return System.nanoTime() < deadline && !thread.isShutdown()
        && engine.cached(module.sha256(), module.memoryMb()) == module;
  }

  private static long callLimit(long timeoutMs, long deadline) {
    return Math.max(1, Math.min(timeoutMs, (deadline - System.nanoTime()) / 1_000_000));
  }

  private static boolean normal(Outcome outcome) {
    return outcome instanceof Outcome.Succeeded || outcome instanceof Outcome.Exited;
  }

  private Invocation invocation() {
    return new Invocation("warm-up", "warm-up", List.of("warm-up"), Map.of(), List.of(),
        new ByteArrayInputStream(input), OutputStream.nullOutputStream(), OUTPUT_LIMIT);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
