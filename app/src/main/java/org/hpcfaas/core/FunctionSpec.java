package org.hpcfaas.core;

import java.time.Instant;
import java.util.List;

/**
 * One deployed version of a function: what the registry stores and every node runs. The name is
 * qualified by its namespace ({@code ns:name}; functions of the default namespace have none). An
 * idempotent function may be run twice for one call (a retry after its worker was lost). The owner is
 * the tenant that deployed it, whose module quota it counts against. The last three fields are its
 * {@link GuestSetup}; entries stored before they existed read as the defaults. A cached function was
 * declared deterministic by its author: its outputs are kept and served again for the same inputs.
 */
public record FunctionSpec(
    String name, long version, String sha256, long size, ModuleKind kind, Limits limits, boolean idempotent,
    String owner, Instant created, List<String> defaultArgs, Boolean runtimeEnv, List<Mount> mounts,
    Boolean cached) implements CborSerializable {
  public FunctionSpec {
    defaultArgs = defaultArgs == null ? List.of() : List.copyOf(defaultArgs);
    runtimeEnv = runtimeEnv == null || runtimeEnv;
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    cached = cached != null && cached;
  }

  public FunctionSpec(String name, long version, String sha256, long size, ModuleKind kind, Limits limits,
      boolean idempotent, String owner, Instant created, List<String> defaultArgs, Boolean runtimeEnv,
      List<Mount> mounts) {
    this(name, version, sha256, size, kind, limits, idempotent, owner, created, defaultArgs, runtimeEnv, mounts, false);
  }

  /** This version with other limits (a child call's, cut to what its caller has left). */
  public FunctionSpec withLimits(Limits other) {
    return new FunctionSpec(name, version, sha256, size, kind, other, idempotent, owner, created, defaultArgs,
        runtimeEnv, mounts, cached);
  }

  public GuestSetup guest() {
    return new GuestSetup(defaultArgs, runtimeEnv, mounts);
  }
}
