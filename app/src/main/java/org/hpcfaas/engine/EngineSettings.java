package org.hpcfaas.engine;

/**
 * Node-wide engine settings: how much stderr to keep per call, the memory budget of live instances, how
 * long a call may wait for room in it, and how close to its cap a failed call counts as out of memory.
 */
public record EngineSettings(int stderrTailBytes, int memoryBudgetMb, long memoryWaitMs, double memoryCapMargin) {}
