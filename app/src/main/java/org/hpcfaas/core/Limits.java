package org.hpcfaas.core;

/** What one function may use: memory per instance, wall time per call, calls in flight per node. */
public record Limits(int memoryMb, long timeoutMs, int concurrency) {}
