package org.hpcfaas;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import org.hpcfaas.async.AsyncInvocations;
import org.hpcfaas.batch.MapJobs;
import org.hpcfaas.cache.CachingInvoker;
import org.hpcfaas.batch.MapSettings;
import org.hpcfaas.worker.FunctionActor;
import org.hpcfaas.core.Limits;
import org.hpcfaas.registry.RegistrySettings;
import org.hpcfaas.engine.EngineSettings;
import org.hpcfaas.engine.WarmUp;
import org.hpcfaas.registry.Volumes;
import org.hpcfaas.transport.Mode;

/** The {@code hpcfaas} block of application.conf, read once at startup (every key is documented there). */
public record NodeSettings(
    Mode mode,
    Path dataDir,
    String httpHost,
    int httpPort,
    Duration bodyTimeout,
    int wasmThreads,
    EngineSettings engine,
    RegistrySettings registry,
    long maxInputBytes,
    long maxOutputBytes,
    long bulkBudgetBytes,
    long streamThreshold,
    Duration inputStall,
    Duration streamHold,
    int maxCallDepth,
    FunctionActor.QueueSettings queue,
    Duration idleTimeout,
    boolean sharedDataDir,
    Duration replicationTimeout,
    Duration moduleGrace,
    boolean tls,
    Path secretDir,
    AsyncInvocations.Settings async,
    int recentInvocations,
    boolean authEnabled,
    boolean faultInjection,
    Volumes volumes,
    MapSettings map,
    long drainsAtMs,
    CachingInvoker.Settings cache) {

  /** "auto" turns authentication on when the API listens beyond this machine. */
  private static boolean authEnabled(String setting, String host) {
    return switch (setting) {
      case "on" -> true;
      case "off" -> false;
      case "auto" -> {
        try {
          yield !java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
          yield true;
        }
      }
      default -> throw new IllegalArgumentException("hpcfaas.auth.enabled must be on, off or auto, got " + setting);
    };
  }

  private static boolean tls(String transport) {
    return switch (transport) {
      case "tls" -> true;
      case "tcp" -> false;
      default -> throw new IllegalArgumentException("hpcfaas.cluster.transport must be tls or tcp, got " + transport);
    };
  }

  /** The end of the allocation (epoch seconds; 0 = none) less the margin, in epoch milliseconds; 0 = never. */
  private static long drainsAt(long endTimeSeconds, Duration margin) {
    return endTimeSeconds <= 0 ? 0 : Math.max(1, endTimeSeconds * 1000 - margin.toMillis());
  }

  /** 0: a quarter of the maximum heap. */
  private static long bulkBudget(long configured) {
    return configured > 0 ? configured : Runtime.getRuntime().maxMemory() / 4;
  }

  /** Quoted HOCON keys ({@code "engine.CompilerThreads" = 1}) to Truffle option names and values. */
  private static java.util.Map<String, String> engineOptions(Config options) {
    var map = new java.util.TreeMap<String, String>();
    options.root().forEach((key, value) -> map.put(key, String.valueOf(value.unwrapped())));
    return map;
  }

  public static NodeSettings from(Config root) {
    var c = root.getConfig("hpcfaas");
    var mode = Mode.of(c.getString("mode"));
    int threads = c.getInt("wasm.threads");
    int budget = c.getInt("wasm.memory-budget-mb");
    if (budget <= 0) {
      budget = (int) (Runtime.getRuntime().maxMemory() / (3L * 1024 * 1024));
    }
    var limits = c.getConfig("limits");
    return new NodeSettings(
        mode,
        Path.of(c.getString("data-dir")).toAbsolutePath(),
        c.getString("http.host"),
        c.getInt("http.port"),
        c.getDuration("http.body-timeout"),
        threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
        new EngineSettings(
            (int) c.getBytes("wasm.stderr-tail").longValue(),
            budget,
            c.getDuration("wasm.memory-wait").toMillis(),
            c.getDouble("wasm.memory-cap-margin"),
            c.getString("wasm.scratch-dir").isEmpty()
                ? Path.of(System.getProperty("java.io.tmpdir"), "hpcfaas-scratch")
                : Path.of(c.getString("wasm.scratch-dir")).toAbsolutePath(),
            c.getBytes("wasm.scratch-size"),
            engineOptions(c.getConfig("wasm.engine-options")),
            new WarmUp.Settings(c.getInt("wasm.warm-up.calls"), c.getDuration("wasm.warm-up.time"),
                c.getString("wasm.warm-up.input")),
            c.getDuration("wasm.stall-allowance").toMillis(),
            c.getInt("wasm.ready-instances")),
        new RegistrySettings(
            new Limits(limits.getInt("default-memory-mb"), limits.getDuration("default-timeout").toMillis(),
                limits.getInt("default-concurrency")),
            limits.getInt("max-memory-mb"),
            limits.getDuration("max-timeout").toMillis(),
            limits.getInt("max-concurrency"),
            limits.getBytes("max-module-size")),
        limits.getBytes("max-input-size"),
        limits.getBytes("max-output-size"),
        bulkBudget(limits.getBytes("bulk-memory-budget")),
        c.getBytes("invoke.stream-threshold"),
        c.getDuration("invoke.input-stall"),
        c.getDuration("invoke.stream-hold"),
        c.getInt("invoke.max-call-depth"),
        new FunctionActor.QueueSettings(c.getInt("invoke.queue-size"), c.getDuration("invoke.max-queue-wait"),
            c.getDuration("wasm.stall-allowance")),
        c.getDuration("invoke.idle-timeout"),
        c.getBoolean("cluster.shared-data-dir"),
        c.getDuration("cluster.replication-timeout"),
        c.getDuration("cluster.module-grace"),
        tls(c.getString("cluster.transport")),
        c.getString("cluster.secret-dir").isBlank() ? null : Path.of(c.getString("cluster.secret-dir")).toAbsolutePath(),
        new AsyncInvocations.Settings(c.getDuration("async.retention"), c.getInt("async.max-records"),
            c.getBytes("async.max-output-size"), c.getBytes("async.max-total-output"),
            (int) c.getBytes("async.inline-output-size").longValue()),
        c.getInt("log.recent-per-function"),
        authEnabled(c.getString("auth.enabled"), c.getString("http.host")),
        c.getBoolean("testing.fault-injection"),
        Volumes.from(c.getConfig("volumes")),
        new MapSettings(c.getInt("map.max-concurrency"), c.getBytes("map.max-async-input-size"),
            new MapJobs.Settings(c.getDuration("map.retention"), c.getInt("map.max-jobs"),
                c.getBytes("map.max-total-output"))),
        drainsAt(c.getLong("drain.end-time"), c.getDuration("drain.margin")),
        new CachingInvoker.Settings(c.getBytes("cache.max-size"), c.getBytes("cache.max-entry-size"),
            c.getDuration("cache.lookup-timeout")));
  }
}
