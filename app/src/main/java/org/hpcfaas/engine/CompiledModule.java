package org.hpcfaas.engine;

import org.graalvm.polyglot.Source;
import org.hpcfaas.core.ModuleKind;

/**
 * A module validated and compiled once for a memory cap, with the {@link WasiShim} it imports from
 * ({@code shim} is null when it needs none). The engine keeps the {@link Source}s: GraalWasm caches parsed
 * and compiled code per Source object, so they must stay strongly reachable.
 */
public record CompiledModule(String sha256, int memoryMb, ModuleKind kind, long initialPages, Source source, Source shim) {}
