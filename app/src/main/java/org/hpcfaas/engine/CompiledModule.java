package org.hpcfaas.engine;

import org.graalvm.polyglot.Source;
import org.hpcfaas.core.ModuleKind;

/**
 * A module validated and compiled once for a memory cap, with the {@link WasiShim} it imports from
 * ({@code shim} is null when it needs none). The engine keeps the {@link Source}s: GraalWasm caches parsed
 * and compiled code per Source object, so they must stay strongly reachable.
 */
public record CompiledModule(String sha256, int memoryMb, ModuleKind kind, long initialPages, Source source, Source shim,
    boolean runsAtInstantiation) {

  /**
   * Whether an instance can be made before its call ({@link ReadyCommands}): a command whose argv and
   * environment come from the shim, so they can be bound later, and that runs no code of its own before
   * {@code _start}, which would see no call's streams.
   */
  boolean readyAhead() {
    return kind == ModuleKind.COMMAND && shim != null && !runsAtInstantiation;
  }
}
