package org.hpcfaas.cluster;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.StreamConverters;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private final NodeStats stats;
  private final NodeMetrics metrics;
  private final InvocationLog invocations;
  private final BulkBudget budget;

  public FunctionRunner(WasmEngine engine, WasmExecutor executor, FunctionRegistry registry, Materializer materializer,
      String node, long maxOutputBytes, Duration inputStall, NodeStats stats, NodeMetrics metrics,
      InvocationLog invocations, BulkBudget budget) {
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

  /** Opens the call's input at once (even while it waits in a queue), so its stream reference stays subscribed. */
  InputStream open(Payload input) {
    return switch (input) {
      case Payload.Inline i -> new ByteArrayInputStream(i.bytes());
      case Payload.Streamed s -> s.ref().getSource().runWith(StreamConverters.asInputStream(inputStall), materializer);
    };
  }

  void reply(ActorRef<WorkerReply> replyTo, Outcome outcome, long queuedMs) {
    replyTo.tell(new WorkerReply.Completed(node, outcome, new Payload.Inline(new byte[0]), 0, 0, queuedMs));
  }

  /**
   * Runs one invocation on the WASM pool and answers {@code replyTo} once: when the output starts to
   * stream, or when the function has ended. Completes with the outcome when the call is over.
   */
  CompletionStage<Outcome> run(FunctionSpec spec, ReactorPool pool, InvocationRequest request, InputStream stdin,
      long queuedMs, ActorRef<WorkerReply> replyTo) {
    stats.inFlight.incrementAndGet();
    var functionInFlight = metrics.inFlight(spec.name());
    functionInFlight.incrementAndGet();
    return executor.submit(spec.name(), () -> {
      var started = java.time.Instant.now();
      long start = System.nanoTime();
      var bulk = request.streamOutput() ? null : new BulkOutput(budget);
      var streamed = request.streamOutput()
          ? new StreamedStdout(materializer, ref -> replyTo.tell(new WorkerReply.Streaming(node, ref, queuedMs)))
          : null;
      var in = new CountingStreams.In(stdin);
      var out = new CountingStreams.Out(bulk != null ? bulk : streamed);
      var inv = new Invocation(request.id(), spec.name(), request.env(), in, out, bulk != null ? maxOutputBytes : -1);
      Outcome outcome;
      try {
        // a spec from a peer (gateway) is checked as a client's deploy is
        registry.checkSpec(spec);
        var module = module(spec);
        outcome = spec.kind() == ModuleKind.REACTOR
            ? pool.run(module, inv, spec.limits().timeoutMs())
            : engine.runCommand(module, inv, spec.limits().timeoutMs());
      } catch (org.hpcfaas.registry.DeployRejected e) {
        outcome = new Outcome.Broken("refused the spec of " + spec.name() + " from the gateway: " + e.getMessage(), "");
      } catch (IOException | InvalidModuleException e) {
        outcome = new Outcome.Broken("cannot load " + spec.name() + " v" + spec.version() + ": " + e.getMessage(), "");
      } finally {
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
      if (streamed != null && streamed.opened()) {
        streamed.finish(outcome.succeeded() ? null : new FunctionFailedMidStream(spec.name(), outcome));
        if (!outcome.succeeded()) {
          log.warn("Invocation {} of {} failed after its output began streaming: {}", request.id(), spec.name(), outcome);
        }
      } else {
        Payload output;
        long outputSize;
        if (outcome.succeeded() && bulk != null) {
          outputSize = bulk.size();
          output = bulk.toPayload(materializer);
        } else {
          if (bulk != null) {
            bulk.discard();
          }
          outputSize = 0;
          output = new Payload.Inline(new byte[0]);
        }
        replyTo.tell(new WorkerReply.Completed(node, outcome, output, outputSize, durationMs, queuedMs));
      }
      return outcome;
    });
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
