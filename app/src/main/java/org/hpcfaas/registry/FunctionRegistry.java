package org.hpcfaas.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Limits;
import org.hpcfaas.core.GuestSetup;

/**
 * This node's view of the functions: validated at deploy (compiled by the {@link ModuleCompiler}), kept durably in the
 * {@link FunctionStore}, served from memory. Changes made elsewhere arrive through {@link #apply}; a
 * deploy here completes only once it is durable here (replication to other nodes is the caller's part).
 */
public final class FunctionRegistry {
  private static final Logger log = LoggerFactory.getLogger(FunctionRegistry.class);
  private static final Pattern NAME = Pattern.compile("([a-z0-9][a-z0-9_-]{0,62}:)?[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final FunctionStore store;
  private final ModuleCompiler compiler;
  private final RegistrySettings settings;
  private final Map<String, RegistryEntry> entries = new ConcurrentHashMap<>();
  /** Entries stored here for a change a majority has not confirmed yet, by name@version. */
  private final Map<String, RegistryEntry> staged = new java.util.HashMap<>();
  /** The highest version this node, as a name's owner, has handed out. */
  private final Map<String, Long> reserved = new java.util.HashMap<>();
  private volatile ModuleFetcher fetcher = sha -> Optional.empty();
  private final java.util.List<java.util.function.Consumer<String>> onDelete = new java.util.concurrent.CopyOnWriteArrayList<>();

  public FunctionRegistry(FunctionStore store, ModuleCompiler compiler, RegistrySettings settings) throws IOException {
    this.store = store;
    this.compiler = compiler;
    this.settings = settings;
    for (var entry : store.entries()) {
      entries.put(entry.name(), entry);
    }
    log.info("Registry loaded {} function(s) from the store", list().size());
  }

  public RegistrySettings settings() {
    return settings;
  }

  /** Called with the name of every function deleted here, once its tombstone is this node's state. */
  public void onDelete(java.util.function.Consumer<String> listener) {
    onDelete.add(listener);
  }

  /** Where modules missing from the local store come from (peers, in a cluster). */
  public void fetchMissingModulesWith(ModuleFetcher fetcher) {
    this.fetcher = fetcher;
  }

  public Optional<FunctionSpec> get(String name) {
    return Optional.ofNullable(entries.get(name)).map(RegistryEntry::spec);
  }

  public List<FunctionSpec> list() {
    return entries.values().stream().filter(e -> !e.deleted()).map(RegistryEntry::spec)
        .sorted(Comparator.comparing(FunctionSpec::name)).toList();
  }

  /** Module bytes of the functions a tenant deployed, but the one named {@code except}. */
  public long bytesOwnedBy(String tenant, String except) {
    return list().stream().filter(s -> tenant.equals(s.owner()) && !s.name().equals(except)).mapToLong(FunctionSpec::size).sum();
  }

  /** Every entry, deletions included, for replication. */
  public Collection<RegistryEntry> entries() {
    return List.copyOf(entries.values());
  }

  public boolean hasModule(String sha256) {
    return store.hasModule(sha256);
  }

  public Optional<byte[]> localModule(String sha256) throws IOException {
    return store.module(sha256);
  }

  /** The module bytes of a function: from the local store, else fetched and stored. */
  public byte[] moduleBytes(FunctionSpec spec) throws IOException {
    var local = store.module(spec.sha256());
    if (local.isPresent()) {
      return local.get();
    }
    var fetched = fetcher.fetch(spec.sha256())
        .orElseThrow(() -> new IOException("module " + spec.sha256() + " of " + spec.name() + " is on no reachable node"));
    storeModule(spec.sha256(), fetched);
    return fetched;
  }

  /** Stores module bytes that came from elsewhere, after checking they are what their hash says. */
  public void storeModule(String sha256, byte[] module) throws IOException {
    if (module.length > settings.maxModuleBytes()) {
      throw new IOException("module " + sha256 + " from a peer is " + module.length + " bytes, above the limit of "
          + settings.maxModuleBytes());
    }
    if (!sha256(module).equals(sha256)) {
      throw new IOException("module bytes do not match their sha256 " + sha256);
    }
    store.putModule(sha256, module);
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
    if (limits.memoryMb() > compiler.memoryBudgetMb()) {
      throw new DeployRejected(DeployRejected.Reason.LIMITS, "memoryMb " + limits.memoryMb()
          + " is above this node's memory budget for instances (" + compiler.memoryBudgetMb() + " MiB)");
    }
    return limits;
  }

  /**
   * Validates and compiles the module on the WASM pool and stores the module bytes; the spec it completes
   * with has no version yet (0): the name's owner node assigns it (see {@link RegistryReplication}).
   * Fails with {@link DeployRejected} for a bad module, {@link IOException} for storage.
   */
  public CompletionStage<FunctionSpec> prepare(String name, byte[] module, Limits limits, boolean idempotent,
      boolean cached, String owner, GuestSetup guest) {
    String sha256 = sha256(module);
    return compiler.onPool(name, () -> {
      try {
        var kind = compiler.compile(sha256, module, limits);
        store.putModule(sha256, module);
        return new FunctionSpec(name, 0, sha256, module.length, kind, limits, idempotent, owner, Instant.now(),
            guest.defaultArgs(), guest.runtimeEnv(), guest.mounts(), cached);
      } catch (DeployRejected e) {
        throw new CompletionException(e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /**
   * The next version of a name, for its owner node to assign: above every version this node has
   * committed, staged or handed out before, so two changes through one owner never share a version.
   */
  public synchronized long reserveVersion(String name) {
    long highest = Optional.ofNullable(entries.get(name)).map(RegistryEntry::version).orElse(0L);
    highest = Math.max(highest, reserved.getOrDefault(name, 0L));
    for (var s : staged.values()) {
      if (s.name().equals(name)) {
        highest = Math.max(highest, s.version());
      }
    }
    reserved.put(name, highest + 1);
    return highest + 1;
  }

  /** Would {@link #apply} take this entry (newer than the current one, or the winner of a tie)? */
  public synchronized boolean accepts(RegistryEntry entry) {
    var current = entries.get(entry.name());
    return current == null || current.equals(entry) || wins(entry, current);
  }

  /**
   * Holds an entry a majority has not yet stored: it is not served and not written as the function's
   * state until {@link #commit}; {@link #unstage} forgets it. False if {@link #apply} would refuse it.
   */
  public synchronized boolean stage(RegistryEntry entry) {
    if (!accepts(entry)) {
      return false;
    }
    staged.put(stagedKey(entry), entry);
    return true;
  }

  public synchronized void unstage(RegistryEntry entry) {
    staged.remove(stagedKey(entry));
  }

  /** Makes a staged (or any acceptable) entry this node's state; false if a newer one is already here. */
  public synchronized boolean commit(RegistryEntry entry) throws IOException {
    staged.remove(stagedKey(entry));
    return apply(entry);
  }

  /** The staged entry with this name and version, if this node holds it. */
  public synchronized Optional<RegistryEntry> staged(String name, long version) {
    return Optional.ofNullable(staged.get(name + "@" + version));
  }

  private static String stagedKey(RegistryEntry entry) {
    return entry.name() + "@" + entry.version();
  }

  /**
   * Removes the modules no entry (committed or staged) refers to and that were last stored more than
   * {@code grace} ago, so deploy/delete cycles do not fill the disk; the grace covers a deploy between
   * storing its module and committing its entry. Returns how many were removed.
   */
  public int removeUnreferencedModules(java.time.Duration grace) throws IOException {
    var cutoff = Instant.now().minus(grace);
    int removed = 0;
    for (var module : store.modules().entrySet()) {
      if (module.getValue().isAfter(cutoff)) {
        continue;
      }
      synchronized (this) {
        boolean referenced = entries.values().stream().anyMatch(e -> !e.deleted() && e.spec().sha256().equals(module.getKey()))
            || staged.values().stream().anyMatch(e -> !e.deleted() && e.spec().sha256().equals(module.getKey()));
        if (!referenced) {
          store.deleteModule(module.getKey());
          compiler.evict(module.getKey());
          removed++;
        }
      }
    }
    if (removed > 0) {
      log.info("Removed {} module(s) no function version refers to", removed);
    }
    return removed;
  }

  /** Functions with entries staged but neither committed nor dropped (for the soak figures). */
  public synchronized int stagedCount() {
    return staged.size();
  }

  /**
   * Takes a committed change, if it is newer than what this node has; of two different entries with the
   * same version (two owners during a membership change) every node keeps the same one. Its module must
   * already be in the store.
   */
  public synchronized boolean apply(RegistryEntry entry) throws IOException {
    try {
      checkReplicated(entry);
    } catch (DeployRejected e) {
      throw new IOException("refused a change from a peer: " + e.getMessage());
    }
    var current = entries.get(entry.name());
    if (current != null && (current.equals(entry) || !wins(entry, current))) {
      return false;
    }
    store.putEntry(entry);
    entries.put(entry.name(), entry);
    staged.values().removeIf(s -> s.name().equals(entry.name()) && s.version() <= entry.version());
    reserved.computeIfPresent(entry.name(), (n, v) -> v <= entry.version() ? null : v);
    if (current != null && !current.deleted()) {
      forgetCompiled(current.spec());
    }
    if (entry.deleted()) {
      log.info("Deleted {} (v{})", entry.name(), entry.version());
      onDelete.forEach(listener -> listener.accept(entry.name()));
    } else {
      var spec = entry.spec();
      log.info("Deployed {} v{} ({} bytes, {}, sha256 {}, {} MiB, {} ms, concurrency {}{})", spec.name(), spec.version(),
          spec.size(), spec.kind(), spec.sha256(), spec.limits().memoryMb(), spec.limits().timeoutMs(),
          spec.limits().concurrency(), (spec.idempotent() ? ", idempotent" : "") + (spec.cached() ? ", cached" : ""));
    }
    return true;
  }

  /** Does {@code entry} replace {@code current}: a higher version, or the same one decided by a fixed order. */
  private static boolean wins(RegistryEntry entry, RegistryEntry current) {
    if (entry.version() != current.version()) {
      return entry.version() > current.version();
    }
    return tiebreak(entry).compareTo(tiebreak(current)) > 0;
  }

  private static String tiebreak(RegistryEntry e) {
    return e.deleted() ? "" : e.spec().sha256() + "|" + e.spec().created() + "|" + e.spec();
  }

  /**
   * Checks an entry that came from another node as a deploy from a client is checked: its name, its
   * version, the hash and size of its module, its limits. A peer is a member holding the cluster secret,
   * but a faulty or compromised one must still not make this node write outside its data dir or run
   * what no client could have deployed.
   */
  public void checkReplicated(RegistryEntry entry) throws DeployRejected {
    if (entry == null || entry.name() == null) {
      throw new DeployRejected(DeployRejected.Reason.NAME, "an entry without a name");
    }
    checkName(entry.name());
    if (entry.version() < 1) {
      throw new DeployRejected(DeployRejected.Reason.LIMITS, "version " + entry.version() + " of " + entry.name());
    }
    var spec = entry.spec();
    if (spec == null) {
      return;
    }
    if (!entry.name().equals(spec.name()) || entry.version() != spec.version()) {
      throw new DeployRejected(DeployRejected.Reason.NAME, "entry " + entry.name() + " v" + entry.version()
          + " holds the spec of " + spec.name() + " v" + spec.version());
    }
    if (spec.sha256() == null || !SHA256.matcher(spec.sha256()).matches()) {
      throw new DeployRejected(DeployRejected.Reason.MODULE, "'" + spec.sha256() + "' is not a SHA-256");
    }
    if (spec.size() < 1 || spec.size() > settings.maxModuleBytes() || spec.kind() == null || spec.limits() == null) {
      throw new DeployRejected(DeployRejected.Reason.MODULE, "module of " + spec.name() + ": size " + spec.size()
          + ", kind " + spec.kind());
    }
    var l = spec.limits();
    if (l.memoryMb() < 1 || l.memoryMb() > settings.maxMemoryMb() || l.timeoutMs() < 1
        || l.timeoutMs() > settings.maxTimeoutMs() || l.concurrency() < 1 || l.concurrency() > settings.maxConcurrency()) {
      throw new DeployRejected(DeployRejected.Reason.LIMITS, "limits of " + spec.name() + " out of bounds: " + l);
    }
  }

  /** Checks a function spec that came from another node (an invocation's), as {@link #checkReplicated} does. */
  public void checkSpec(FunctionSpec spec) throws DeployRejected {
    if (spec == null) {
      throw new DeployRejected(DeployRejected.Reason.NAME, "no function spec");
    }
    checkReplicated(new RegistryEntry(spec.name(), spec.version(), spec));
  }

  /** Is this a SHA-256 as the store names modules (64 lowercase hex digits)? */
  public static boolean isSha256(String s) {
    return s != null && SHA256.matcher(s).matches();
  }

  /** Is this a function name a client could deploy (a qualified one included)? */
  public static boolean isName(String s) {
    return s != null && NAME.matcher(s).matches();
  }

  private void forgetCompiled(FunctionSpec spec) {
    if (entries.values().stream().noneMatch(e -> !e.deleted() && e.spec().sha256().equals(spec.sha256()))) {
      compiler.evict(spec.sha256());
    }
  }

  private static void checkName(String name) throws DeployRejected {
    if (!NAME.matcher(name).matches()) {
      throw new DeployRejected(DeployRejected.Reason.NAME, "function and namespace names are 1-63 characters of a-z, 0-9,"
          + " '-' and '_', starting with a letter or digit; got '" + name + "'");
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
