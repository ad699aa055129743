package org.hpcfaas.engine;

import java.nio.file.Path;
import java.util.Map;

/**
 * Node-wide engine settings: how much stderr to keep per call, the memory budget of live instances, how
 * long a call may wait for room in it, how close to its cap a failed call counts as out of memory, where
 * and how large each call's scratch directory (/tmp) is, the Truffle options of the shared engine, and
 * how long a newly compiled module is run in the background before its first call (see {@link WarmUp}), and
 * how long past its time limit a call may take in all, waiting on its caller's streams, before it is
 * stopped as stalled, and how many instances of each called command module are made ahead of their calls
 * (see {@link ReadyCommands}; 0 = none).
 */
public record EngineSettings(int stderrTailBytes, int memoryBudgetMb, long memoryWaitMs, double memoryCapMargin,
    Path scratchDir, long scratchMaxBytes, Map<String, String> engineOptions, WarmUp.Settings warmUp,
    long stallAllowanceMs, int readyInstances) {

  /** The settings with the default stall allowance of one minute and no instances made ahead. */
  public EngineSettings(int stderrTailBytes, int memoryBudgetMb, long memoryWaitMs, double memoryCapMargin,
      Path scratchDir, long scratchMaxBytes, Map<String, String> engineOptions, WarmUp.Settings warmUp) {
    this(stderrTailBytes, memoryBudgetMb, memoryWaitMs, memoryCapMargin, scratchDir, scratchMaxBytes, engineOptions,
        warmUp, 60_000, 0);
  }

  /** Truffle's own compilation defaults, no warm-up and no instances made ahead. */
  public EngineSettings(int stderrTailBytes, int memoryBudgetMb, long memoryWaitMs, double memoryCapMargin,
      Path scratchDir, long scratchMaxBytes) {
    this(stderrTailBytes, memoryBudgetMb, memoryWaitMs, memoryCapMargin, scratchDir, scratchMaxBytes, Map.of(),
        WarmUp.Settings.OFF, 60_000, 0);
  }
}
