package org.hpcfaas.engine;

import java.nio.file.Path;

/**
 * Node-wide engine settings: how much stderr to keep per call, the memory budget of live instances, how
 * long a call may wait for room in it, how close to its cap a failed call counts as out of memory, and
 * where and how large each call's scratch directory (/tmp) is, and how long past its time limit a call
 * may take in all, waiting on its caller's streams, before it is stopped as stalled.
 */
public record EngineSettings(int stderrTailBytes, int memoryBudgetMb, long memoryWaitMs, double memoryCapMargin,
    Path scratchDir, long scratchMaxBytes, long stallAllowanceMs) {
  /** The settings with the default stall allowance of one minute. */
  public EngineSettings(int stderrTailBytes, int memoryBudgetMb, long memoryWaitMs, double memoryCapMargin,
      Path scratchDir, long scratchMaxBytes) {
    this(stderrTailBytes, memoryBudgetMb, memoryWaitMs, memoryCapMargin, scratchDir, scratchMaxBytes, 60_000);
  }
}
