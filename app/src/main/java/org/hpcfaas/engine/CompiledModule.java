package org.hpcfaas.engine;

import org.graalvm.polyglot.Source;
import org.hpcfaas.core.ModuleKind;

/**
 * A module validated and compiled once for a memory cap. The engine keeps the {@link Source}: GraalWasm
 * caches parsed and compiled code per Source object, so it must stay strongly reachable.
 */
public record CompiledModule(String sha256, int memoryMb, ModuleKind kind, long initialPages, Source source) {}
