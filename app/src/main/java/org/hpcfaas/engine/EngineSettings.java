package org.hpcfaas.engine;

import java.nio.file.Path;

/**
 * Node-wide engine settings: how much stderr to keep per call, the memory budget of live instances, how
 * long a call may wait for room in it, how close to its cap a failed call counts as out of memory, and
 * where and how large each call's scratch directory (/tmp) is.
 */
public record EngineSettings(int stderrTailBytes, int memoryBudgetMb, long memoryWaitMs, double memoryCapMargin,
    Path scratchDir, long scratchMaxBytes) {}
