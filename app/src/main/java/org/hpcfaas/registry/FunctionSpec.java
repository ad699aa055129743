package org.hpcfaas.registry;

import java.time.Instant;
import org.hpcfaas.cluster.CborSerializable;
import org.hpcfaas.wasm.ModuleKind;

/** One deployed version of a function: what the registry stores and every node runs. */
public record FunctionSpec(
    String name, long version, String sha256, long size, ModuleKind kind, Limits limits, Instant created)
    implements CborSerializable {}
