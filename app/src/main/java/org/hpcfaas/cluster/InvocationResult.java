package org.hpcfaas.cluster;

import org.hpcfaas.wasm.Outcome;

/** How an invocation ended, where it ran, what it wrote, and how long it took on the worker. */
public record InvocationResult(String node, Outcome outcome, byte[] output, long durationMs, long queuedMs)
    implements CborSerializable {}
