package org.hpcfaas.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.hpcfaas.wasm.InvalidModuleException;
import org.hpcfaas.wasm.WasmEngine;
import org.hpcfaas.wasm.WasmExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions this node knows: validated at deploy (compiled by the engine), kept durably in the
 * {@link FunctionStore}, and served from memory. A deploy completes only once it is durable.
 */
public final class FunctionRegistry {
  private static final Logger log = LoggerFactory.getLogger(FunctionRegistry.class);
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  private final FunctionStore store;
  private final WasmEngine engine;
  private final WasmExecutor executor;
  private final RegistrySettings settings;
  private final Map<String, FunctionSpec> functions = new ConcurrentHashMap<>();
  private final Map<String, Long> lastVersions = new ConcurrentHashMap<>();

  public FunctionRegistry(FunctionStore store, WasmEngine engine, WasmExecutor executor, RegistrySettings settings)
      throws IOException {
    this.store = store;
    this.engine = engine;
    this.executor = executor;
    this.settings = settings;
    for (var spec : store.specs()) {
      functions.put(spec.name(), spec);
      lastVersions.put(spec.name(), spec.version());
    }
    log.info("Registry loaded {} function(s) from the store", functions.size());
  }

  public RegistrySettings settings() {
    return settings;
  }

  public Optional<FunctionSpec> get(String name) {
    return Optional.ofNullable(functions.get(name));
  }

  public List<FunctionSpec> list() {
    return functions.values().stream().sorted(Comparator.comparing(FunctionSpec::name)).toList();
  }

  /** The module bytes of a deployed function, from the store. */
  public byte[] moduleBytes(FunctionSpec spec) throws IOException {
    return store.module(spec.sha256())
        .orElseThrow(() -> new IOException("module " + spec.sha256() + " of " + spec.name() + " is missing from the store"));
  }

  /** Checks a deploy request before any work is done on the module. */
  public Limits checkRequest(String name, Integer memoryMb, Long timeoutMs, Integer concurrency) throws DeployRejected {
    checkName(name);
    var d = settings.defaults();
    var limits = new Limits(
        memoryMb != null ? memoryMb : d.memoryMb(),
        timeoutMs != null ? timeoutMs : d.timeoutMs(),
        concurrency != null ? concurrency : d.concurrency());
    if (limits.memoryMb() < 1 || limits.memoryMb() > settings.maxMemoryMb()) {
      throw new DeployRejected(DeployRejected.Reason.LIMITS,
          "memoryMb must be between 1 and " + settings.maxMemoryMb() + ", got " + limits.memoryMb());
    }
    if (limits.timeoutMs() < 1 || limits.timeoutMs() > settings.maxTimeoutMs()) {
      throw new DeployRejected(DeployRejected.Reason.LIMITS,
          "timeoutMs must be between 1 and " + settings.maxTimeoutMs() + ", got " + limits.timeoutMs());
    }
    if (limits.concurrency() < 1 || limits.concurrency() > settings.maxConcurrency()) {
      throw new DeployRejected(DeployRejected.Reason.LIMITS,
          "concurrency must be between 1 and " + settings.maxConcurrency() + ", got " + limits.concurrency());
    }
    if (limits.memoryMb() > engine.memoryBudgetMb()) {
      throw new DeployRejected(DeployRejected.Reason.LIMITS, "memoryMb " + limits.memoryMb()
          + " is above this node's memory budget for instances (" + engine.memoryBudgetMb() + " MiB)");
    }
    return limits;
  }

  /**
   * Validates and compiles the module on the WASM pool, stores it durably, then publishes the new
   * version. Fails with {@link DeployRejected} for a bad module, {@link IOException} for storage.
   */
  public CompletionStage<FunctionSpec> deploy(String name, byte[] module, Limits limits) {
    String sha256 = sha256(module);
    return executor.submit(() -> {
      try {
        var compiled = engine.compile(sha256, module, limits.memoryMb(), limits.timeoutMs());
        store.putModule(sha256, module);
        synchronized (this) {
          long version = lastVersions.getOrDefault(name, 0L) + 1;
          var spec = new FunctionSpec(name, version, sha256, module.length, compiled.kind(), limits, Instant.now());
          store.putSpec(spec);
          lastVersions.put(name, version);
          functions.put(name, spec);
          log.info("Deployed {} v{} ({} bytes, {}, sha256 {}, {} MiB, {} ms, concurrency {})", name, version,
              module.length, compiled.kind(), sha256, limits.memoryMb(), limits.timeoutMs(), limits.concurrency());
          return spec;
        }
      } catch (InvalidModuleException e) {
        throw new CompletionException(new DeployRejected(DeployRejected.Reason.MODULE, e.getMessage()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Removes a function durably; false if there was none. */
  public synchronized boolean delete(String name) throws IOException {
    var spec = functions.get(name);
    if (spec == null) {
      return false;
    }
    store.deleteSpec(name);
    functions.remove(name);
    if (functions.values().stream().noneMatch(s -> s.sha256().equals(spec.sha256()))) {
      engine.evict(spec.sha256());
    }
    log.info("Deleted {} (was v{})", name, spec.version());
    return true;
  }

  private static void checkName(String name) throws DeployRejected {
    if (!NAME.matcher(name).matches()) {
      throw new DeployRejected(DeployRejected.Reason.NAME, "function names are 1-63 characters of a-z, 0-9, '-' and '_',"
          + " starting with a letter or digit; got '" + name + "'");
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
