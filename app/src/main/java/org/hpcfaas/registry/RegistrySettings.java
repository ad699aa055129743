package org.hpcfaas.registry;

/** Limits a deploy gets when it names none, and the most it may ask for. */
public record RegistrySettings(Limits defaults, int maxMemoryMb, long maxTimeoutMs, int maxConcurrency, long maxModuleBytes) {}
