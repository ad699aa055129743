package org.hpcfaas.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.hpcfaas.core.BulkBudget;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.engine.WasmEngine;
import org.hpcfaas.engine.WasmExecutor;

/**
 * This node's Prometheus meters ({@code GET /metrics}): per function the invocations by outcome, their
 * duration and queue wait, calls in flight, warm instances and bytes in and out; per node the WASM pool,
 * the instance memory budget, cluster members, and the JVM.
 */
public final class NodeMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> warm = new ConcurrentHashMap<>();
  private final Map<String, FunctionMeters> meters = new ConcurrentHashMap<>();

  public NodeMetrics(ActorSystem<?> system, WasmEngine engine, WasmExecutor executor, BulkBudget bulk) {
    registry.config().commonTags("node", Cluster.get(system).selfMember().address().toString());
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    Gauge.builder("hpcfaas_wasm_threads", executor, WasmExecutor::threads)
        .description("Threads that run WebAssembly (WASM slots)").register(registry);
    Gauge.builder("hpcfaas_wasm_busy_threads", executor, WasmExecutor::busy)
        .description("WASM threads running a guest now").register(registry);
    Gauge.builder("hpcfaas_wasm_warm_up_pending", engine, WasmEngine::warmingUp)
        .description("Newly compiled modules waiting for or in their background warm-up").register(registry);
    FunctionCounter.builder("hpcfaas_wasm_warm_up_calls", engine, WasmEngine::warmUpCalls)
        .description("Background warm-up calls of newly compiled modules").register(registry);
    Gauge.builder("hpcfaas_wasm_ready_instances", engine, WasmEngine::readyInstances)
        .description("Command instances made ahead of their calls, waiting for one").register(registry);
    FunctionCounter.builder("hpcfaas_wasm_ready_hits", engine, WasmEngine::readyHits)
        .description("Command calls that found an instance made ahead").register(registry);
    FunctionCounter.builder("hpcfaas_wasm_ready_misses", engine, WasmEngine::readyMisses)
        .description("Command calls that made their own instance (none was ready)").register(registry);
    Gauge.builder("hpcfaas_instance_memory_budget_bytes", engine, e -> e.memoryBudgetMb() * 1048576.0)
        .description("Memory all live instances may reserve").register(registry);
    Gauge.builder("hpcfaas_instance_memory_free_bytes", engine, e -> e.memoryFreeMb() * 1048576.0)
        .description("Instance memory budget not reserved now").register(registry);
    Gauge.builder("hpcfaas_bulk_memory_budget_bytes", bulk, BulkBudget::totalBytes)
        .description("Memory bulk bodies and outputs may hold").register(registry);
    Gauge.builder("hpcfaas_bulk_memory_free_bytes", bulk, BulkBudget::freeBytes)
        .description("Bulk memory budget not reserved now").register(registry);
    for (var status : new String[] {"Up", "Unreachable", "Other"}) {
      Gauge.builder("hpcfaas_cluster_members", system, s -> members(s, status))
          .tag("status", status).description("Cluster members by status").register(registry);
    }
  }

  private static double members(ActorSystem<?> system, String status) {
    var state = Cluster.get(system).state();
    long n = 0;
    for (var m : state.getMembers()) {
      boolean unreachable = state.getUnreachable().contains(m);
      String s = unreachable ? "Unreachable" : m.status() == MemberStatus.up() ? "Up" : "Other";
      if (s.equals(status)) {
        n++;
      }
    }
    return n;
  }

  /** A counter of this node's, registered under {@code name} (exported as {@code name_total}). */
  public Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  /** The count of a function's calls running on this worker (the caller increments and decrements it). */
  public AtomicInteger inFlight(String function) {
    return inFlight.computeIfAbsent(function, f -> {
      var count = new AtomicInteger();
      Gauge.builder("hpcfaas_function_in_flight", count, AtomicInteger::get).tag("function", f)
          .description("Calls of the function running or queued on this worker").register(registry);
      return count;
    });
  }

  /** The warm instances a function keeps on this worker, as last reported by its actor. */
  public void warmInstances(String function, int count) {
    warm.computeIfAbsent(function, f -> {
      var value = new AtomicInteger();
      Gauge.builder("hpcfaas_function_warm_instances", value, AtomicInteger::get).tag("function", f)
          .description("Warm reactor instances kept for the function").register(registry);
      return value;
    }).set(count);
  }

  /** One function's meters, built once (looking meters up on every call costs more than recording). */
  private record FunctionMeters(Map<String, Counter> outcomes, Timer duration, Timer queueWait, Counter bytesIn,
      Counter bytesOut) {}

  private FunctionMeters meters(String function) {
    return meters.computeIfAbsent(function, f -> {
      var tags = Tags.of("function", f);
      return new FunctionMeters(new ConcurrentHashMap<>(),
          Timer.builder("hpcfaas_invocation_duration").tags(tags).publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofMinutes(5))
              .description("Time from start to end of a function's run").register(registry),
          Timer.builder("hpcfaas_queue_wait").tags(tags).publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
              .description("Time a call waited for a free slot of its function").register(registry),
          Counter.builder("hpcfaas_input_bytes").tags(tags).baseUnit("bytes").description("Bytes read from stdin")
              .register(registry),
          Counter.builder("hpcfaas_output_bytes").tags(tags).baseUnit("bytes").description("Bytes written to stdout")
              .register(registry));
    });
  }

  public void invocation(FunctionSpec spec, Outcome outcome, long durationNanos, long queuedMs, long bytesIn, long bytesOut) {
    var m = meters(spec.name());
    m.outcomes().computeIfAbsent(outcome.getClass().getSimpleName(), o -> Counter.builder("hpcfaas_invocations")
        .tags("function", spec.name(), "outcome", o).description("Invocations run on this worker, by outcome")
        .register(registry)).increment();
    m.duration().record(durationNanos, TimeUnit.NANOSECONDS);
    m.queueWait().record(queuedMs, TimeUnit.MILLISECONDS);
    m.bytesIn().increment(bytesIn);
    m.bytesOut().increment(bytesOut);
  }

  /**
   * Drops every meter of a deleted function, so deploy/delete cycles leave no series behind. A call still
   * running holds its in-flight count and decrements it unseen.
   */
  public void forget(String function) {
    var m = meters.remove(function);
    if (m != null) {
      m.outcomes().values().forEach(registry::remove);
      registry.remove(m.duration());
      registry.remove(m.queueWait());
      registry.remove(m.bytesIn());
      registry.remove(m.bytesOut());
    }
    for (var name : new String[] {"hpcfaas_function_in_flight", "hpcfaas_function_warm_instances"}) {
      var gauge = registry.find(name).tag("function", function).gauge();
      if (gauge != null) {
        registry.remove(gauge);
      }
    }
    inFlight.remove(function);
    warm.remove(function);
  }

  /** Meters this node exports (for the soak figures). */
  public int series() {
    return registry.getMeters().size();
  }

  /** All meters in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }
}
