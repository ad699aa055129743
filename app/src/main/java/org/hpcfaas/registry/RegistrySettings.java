package org.hpcfaas.registry;

import org.hpcfaas.core.Limits;

/** Limits a deploy gets when it names none, and the most it may ask for. */
public record RegistrySettings(Limits defaults, int maxMemoryMb, long maxTimeoutMs, int maxConcurrency, long maxModuleBytes) {}
