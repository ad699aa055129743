package org.hpcfaas.engine;

import java.util.function.IntSupplier;
import org.graalvm.polyglot.PolyglotException;
import org.hpcfaas.core.Outcome;

/** Runs one call into a guest and turns however it ended into an {@link Outcome}. */
final class GuestCall {
  /** What watches one call: its time limit and its guarded stdin and stdout. */
  record Guards(Watchdog.Watch watch, GuardedInput in, CappedOutput out, long outputLimit, long timeoutMs) {}

  private GuestCall() {}

  static Outcome run(IntSupplier call, Guards guards, StderrTail err, MemoryProbe probe, int memoryMb, double capMargin) {
    try {
      int code = call.getAsInt();
      guards.watch().done();
      return code == 0 ? new Outcome.Succeeded(err.text()) : failure(new Outcome.Exited(code, err.text()), probe, memoryMb, capMargin);
    } catch (PolyglotException e) {
      guards.watch().done();
      if (guards.watch().stalled()) {
        return new Outcome.Stalled(guards.watch().wallClockMs(), err.text());
      }
      if (guards.out().exceeded()) {
        return new Outcome.OutputTooLarge(guards.outputLimit(), err.text());
      }
      var broken = guards.out().broken() != null ? guards.out().broken() : guards.in().broken();
      if (broken != null) {
        return new Outcome.Aborted("the call's stream broke: " + broken.getMessage(), err.text());
      }
      if (guards.watch().timedOut()) {
        return new Outcome.TimedOut(guards.timeoutMs(), err.text());
      }
      if (e.isExit()) {
        int code = e.getExitStatus();
        return code == 0 ? new Outcome.Succeeded(err.text()) : failure(new Outcome.Exited(code, err.text()), probe, memoryMb, capMargin);
      }
      if (e.isCancelled() || e.isInterrupted()) {
        return new Outcome.Stopped("the call was cancelled: the node is shutting down", err.text());
      }
      if (e.isGuestException() || e.isResourceExhausted()) {
        probe.sample();
        return failure(new Outcome.Trapped(e.getMessage(), err.text()), probe, memoryMb, capMargin);
      }
      return new Outcome.Broken("engine error: " + e.getMessage(), err.text());
    } catch (RuntimeException e) {
      // The guest's entry point could not be called as expected (deploy checks signatures, so rare).
      guards.watch().done();
      return new Outcome.Trapped("cannot call the function: " + e, err.text());
    }
  }

  private static Outcome failure(Outcome failure, MemoryProbe probe, int memoryMb, double capMargin) {
    long cap = memoryMb * 1024L * 1024L;
    long used = probe.peakBytes();
    if (used >= cap * (1.0 - capMargin)) {
      String detail = switch (failure) {
        case Outcome.Exited x -> "exited with code " + x.exitCode();
        case Outcome.Trapped t -> "trapped: " + t.message();
        default -> "failed";
      };
      return new Outcome.MemoryExhausted(memoryMb, used, detail, failure.stderr());
    }
    return failure;
  }
}
