package org.hpcfaas.worker;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.hpcfaas.registry.FunctionRegistry;
import org.hpcfaas.core.FunctionCalls;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.BulkBudget;
import org.hpcfaas.engine.CompiledModule;
import org.hpcfaas.engine.InvalidModuleException;
import org.hpcfaas.engine.Invocation;
import org.hpcfaas.core.ModuleKind;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.engine.ReactorPool;
import org.hpcfaas.engine.WasmEngine;
import org.hpcfaas.engine.WasmExecutor;
import org.hpcfaas.registry.Volumes;
import org.hpcfaas.engine.Preopen;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.hpcfaas.core.Call;
import org.hpcfaas.observe.InvocationLog;
import org.hpcfaas.observe.NodeMetrics;
import org.hpcfaas.observe.NodeStats;
import org.hpcfaas.core.GuestParameters;

/** The worker side of an invocation: binds its streams, finds the compiled module, runs it on the WASM pool. */
public final class FunctionRunner {
  private static final Logger log = LoggerFactory.getLogger(FunctionRunner.class);

  private final WasmEngine engine;
  private final WasmExecutor executor;
  private final FunctionRegistry registry;
  private final Materializer materializer;
  private final String node;
  private final long maxOutputBytes;
  private final Duration inputStall;
  private final Duration streamHold;
  private final NodeStats stats;
  private final NodeMetrics metrics;
  private final InvocationLog invocations;
  private final Volumes volumes;
  private final BulkBudget budget;
  private final FunctionCalls children;

  public FunctionRunner(WasmEngine engine, WasmExecutor executor, FunctionRegistry registry, Materializer materializer,
      String node, long maxOutputBytes, Duration inputStall, Duration streamHold, NodeStats stats, NodeMetrics metrics,
      InvocationLog invocations, Volumes volumes, BulkBudget budget, FunctionCalls children) {
    this.children = children;
    this.volumes = volumes;
    this.budget = budget;
    this.stats = stats;
    this.metrics = metrics;
    this.invocations = invocations;
    this.engine = engine;
    this.executor = executor;
    this.registry = registry;
    this.materializer = materializer;
    this.node = node;
    this.maxOutputBytes = maxOutputBytes;
    this.inputStall = inputStall;
    this.streamHold = streamHold;
  }

  public String node() {
    return node;
  }

  NodeStats stats() {
    return stats;
  }

  NodeMetrics metrics() {
    return metrics;
  }

  public ReactorPool newPool(FunctionSpec spec) {
    return new ReactorPool(engine, spec.name());
  }

  /** Opens the call's input at once (even while it waits in a queue), so a streamed input stays subscribed. */
  InputStream open(Call call) {
    return call.inputBytes() != null
        ? new ByteArrayInputStream(call.inputBytes())
        : call.inputStream().runWith(StreamConverters.asInputStream(inputStall), materializer);
  }

  void reply(ActorRef<WorkerResult> replyTo, Outcome outcome, long queuedMs) {
    replyTo.tell(new WorkerResult.Completed(node, outcome, new byte[0], 0));
  }

  /**
   * Runs one invocation on the WASM pool and answers {@code replyTo} once: when the output starts to
   * stream, or when the function has ended. Completes with the outcome when the call is over.
   */
  CompletionStage<Outcome> run(FunctionSpec spec, ReactorPool pool, Call request, InputStream stdin,
      long queuedMs, Duration maxWait, ActorRef<WorkerResult> replyTo) {
    stats.inFlight.incrementAndGet();
    var functionInFlight = metrics.inFlight(spec.name());
    functionInFlight.incrementAndGet();
    // past its queue wait the caller's reply timeout is running out: a call still waiting for a WASM thread
    // then is dropped, not run for a caller that has gone
    long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos() - queuedMs * 1_000_000);
    return executor.submit(spec.name(), deadline, () -> runNow(spec, pool, request, stdin, queuedMs, replyTo,
        functionInFlight), () -> {
      closeQuietly(stdin);
      stats.inFlight.decrementAndGet();
      functionInFlight.decrementAndGet();
      Outcome outcome = new Outcome.Overloaded("waited longer than " + maxWait.toMillis() + " ms for a WASM thread of "
          + node + "; dropped, as its caller has stopped waiting", "");
      replyTo.tell(new WorkerResult.Completed(node, outcome, new byte[0], 0));
      return outcome;
    });
  }

  private Outcome runNow(FunctionSpec spec, ReactorPool pool, Call request, InputStream stdin, long queuedMs,
      ActorRef<WorkerResult> replyTo, java.util.concurrent.atomic.AtomicInteger functionInFlight) {
    var started = java.time.Instant.now();
    long start = System.nanoTime();
    var bulk = request.streamOutput() ? null : new BulkOutput(budget);
    var streamed = request.streamOutput()
        ? new StreamedStdout(materializer, inputStall, streamHold, output -> replyTo.tell(new WorkerResult.Streaming(node, output)))
        : null;
    var in = new CountingStreams.In(streamed == null ? stdin : streamed.releasedWhenWaiting(stdin));
    var out = new CountingStreams.Out(bulk != null ? bulk : streamed);
    Outcome outcome;
    InvocationChildren calls = null;
    try {
      // a spec from a peer (gateway) is checked as a client's deploy is
      registry.checkSpec(spec);
      calls = new InvocationChildren(children, executor, budget, spec, request.id(),
          start + spec.limits().timeoutMs() * 1_000_000);
      var inv = new Invocation(request.id(), spec.name(), argv(spec, request.guest()), environment(spec, request),
          preopens(spec), in, out, bulk != null ? maxOutputBytes : -1, calls);
      var module = module(spec);
      outcome = spec.kind() == ModuleKind.REACTOR
          ? pool.run(module, inv, spec.limits().timeoutMs())
          : engine.runCommand(module, inv, spec.limits().timeoutMs());
    } catch (org.hpcfaas.registry.DeployRejected e) {
      outcome = new Outcome.Broken("refused the spec of " + spec.name() + " from the gateway: " + e.getMessage(), "");
    } catch (IOException | InvalidModuleException e) {
      outcome = new Outcome.Broken("cannot load " + spec.name() + " v" + spec.version() + ": " + e.getMessage(), "");
    } catch (MissingVolume e) {
      outcome = new Outcome.Broken(e.getMessage(), "");
    } catch (RuntimeException | Error e) {
      // a fault of the runtime fails the call; the output's reservation (4 KiB at least) must not stay taken
      if (bulk != null) {
        bulk.discard();
      }
      throw e;
    } finally {
      if (calls != null) {
        calls.close();
      }
      closeQuietly(stdin);
      stats.inFlight.decrementAndGet();
      stats.completed.incrementAndGet();
      functionInFlight.decrementAndGet();
    }
    if (bulk != null && bulk.refused()) {
      outcome = new Outcome.Overloaded("this node has no memory to spare for " + spec.name()
          + "'s bulk output (hpcfaas.limits.bulk-memory-budget); retry, or stream the output (?transfer=stream)",
          outcome.stderr());
    }
    long durationNanos = System.nanoTime() - start;
    long durationMs = durationNanos / 1_000_000;
    metrics.invocation(spec, outcome, durationNanos, queuedMs, in.count, out.count);
    invocations.record(new InvocationLog.Entry(request.id(), spec.name(), spec.version(), node, started, durationMs,
        queuedMs, in.count, out.count, outcome));
    byte[] unstreamed = streamed == null ? null
        : streamed.end(outcome.succeeded() ? null : new FunctionFailedMidStream(spec.name(), outcome));
    if (streamed != null && unstreamed == null) {
      if (!outcome.succeeded()) {
        log.warn("Invocation {} of {} failed after its output began streaming: {}", request.id(), spec.name(), outcome);
      }
    } else {
      byte[] output;
      if (outcome.succeeded()) {
        output = bulk != null ? bulk.toBytes() : unstreamed;
      } else {
        if (bulk != null) {
          bulk.discard();
        }
        output = new byte[0];
      }
      replyTo.tell(new WorkerResult.Completed(node, outcome, output, durationMs));
    }
    return outcome;
  }

  /** argv[0] is the function's name (without its namespace); then the call's arguments, or the default ones. */
  static List<String> argv(FunctionSpec spec, GuestParameters guest) {
    var argv = new ArrayList<String>();
    argv.add(spec.name().substring(spec.name().indexOf(':') + 1));
    argv.addAll(guest.args().isEmpty() || spec.kind() == ModuleKind.REACTOR ? spec.defaultArgs() : guest.args());
    return argv;
  }

  /**
   * The caller's variables and the runtime's own, unless the function was deployed without them. A warm
   * reactor instance outlives its calls, so it gets only what is the same for all of them.
   */
  static Map<String, String> environment(FunctionSpec spec, Call request) {
    var env = new LinkedHashMap<String, String>();
    if (spec.kind() == ModuleKind.COMMAND) {
      env.putAll(request.guest().env());
    }
    if (spec.runtimeEnv()) {
      env.put("HPCFAAS_FUNCTION", spec.name());
      if (spec.kind() == ModuleKind.COMMAND) {
        env.put("HPCFAAS_INVOCATION_ID", request.id());
      }
    }
    return env;
  }

  private List<Preopen> preopens(FunctionSpec spec) {
    var preopens = new ArrayList<Preopen>();
    for (var m : spec.mounts()) {
      var volume = volumes.get(m.volume()).filter(v -> java.nio.file.Files.isDirectory(v.path()))
          .orElseThrow(() -> new MissingVolume(spec, m.volume()));
      preopens.add(new Preopen(m.guestPath(), volume.path(), m.readOnly() || volume.readOnly()));
    }
    return preopens;
  }

  /** This worker lacks a volume the function mounts (placement avoids that; the config may have changed). */
  private static final class MissingVolume extends RuntimeException {
    MissingVolume(FunctionSpec spec, String volume) {
      super("this worker has no volume '" + volume + "' (mounted by " + spec.name() + ")", null, false, false);
    }
  }

  private CompiledModule module(FunctionSpec spec) throws IOException, InvalidModuleException {
    var cached = engine.cached(spec.sha256(), spec.limits().memoryMb());
    return cached != null ? cached
        : engine.compile(spec.sha256(), registry.moduleBytes(spec), spec.limits().memoryMb(), spec.limits().timeoutMs());
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // closing only cancels the rest of an upload
    }
  }

  /** Ends a streamed response abnormally, so the client cannot take a failed call for a complete one. */
  static final class FunctionFailedMidStream extends RuntimeException {
    FunctionFailedMidStream(String function, Outcome outcome) {
      super(function + " failed after its output began: " + outcome.getClass().getSimpleName());
    }
  }
}
