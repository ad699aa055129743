package org.hpcfaas.registry;

import java.time.Instant;
import org.hpcfaas.cluster.CborSerializable;
import org.hpcfaas.wasm.ModuleKind;

/**
 * One deployed version of a function: what the registry stores and every node runs. An idempotent
 * function may be run twice for one call (a retry after its worker was lost).
 */
public record FunctionSpec(
    String name, long version, String sha256, long size, ModuleKind kind, Limits limits, boolean idempotent,
    Instant created)
    implements CborSerializable {}
