package org.hpcfaas.batch;

/** The {@code hpcfaas.map} block: the bound on a map's concurrency, the largest asynchronous body, and what is kept. */
public record MapSettings(int maxConcurrency, long maxAsyncInputBytes, MapJobs.Settings jobs) {}
