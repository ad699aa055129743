package org.hpcfaas.wasm;

import org.graalvm.polyglot.Source;

/**
 * A module validated and compiled once for a memory cap. The engine keeps the {@link Source}: GraalWasm
 * caches parsed and compiled code per Source object, so it must stay strongly reachable.
 */
public record CompiledModule(String sha256, int memoryMb, ModuleKind kind, long initialPages, Source source) {}
