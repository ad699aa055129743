package org.hpcfaas.engine;

import org.graalvm.polyglot.Value;

/**
 * Reads how large a guest's linear memory has grown, to tell a function that failed at its memory cap
 * from one that failed for another reason. A non-zero exit kills the Context, so the probe also samples
 * while the guest is still alive (when it writes to stderr, which failing programs usually do first).
 */
final class MemoryProbe {
  private volatile Value memory;
  private volatile long peakBytes;

  /** Binds the probe to an instance's exported memory, once the instance exists. */
  void attach(Value exports) {
    Value m = exports.getMember("memory");
    memory = m != null && m.hasBufferElements() ? m : null;
  }

  /** Starts a new call of a warm instance: its peak is what the memory holds now. */
  void restart() {
    peakBytes = 0;
    sample();
  }

  void sample() {
    Value m = memory;
    if (m == null) {
      return;
    }
    try {
      peakBytes = Math.max(peakBytes, m.getBufferSize());
    } catch (RuntimeException ignored) {
      // The context is gone (exit or cancel): keep the last sample.
    }
  }

  long peakBytes() {
    return peakBytes;
  }
}
