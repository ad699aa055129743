package org.hpcfaas.wasm;

import java.util.function.IntSupplier;
import org.graalvm.polyglot.PolyglotException;

/** Runs one call into a guest and turns however it ended into an {@link Outcome}. */
final class GuestCall {
  private GuestCall() {}

  static Outcome run(IntSupplier call, Watchdog.Watch watch, CappedOutput out, long outputLimit, StderrTail err,
      MemoryProbe probe, int memoryMb, long timeoutMs, double capMargin) {
    try {
      int code = call.getAsInt();
      watch.done();
      return code == 0 ? new Outcome.Succeeded(err.text()) : failure(new Outcome.Exited(code, err.text()), probe, memoryMb, capMargin);
    } catch (PolyglotException e) {
      watch.done();
      if (out.exceeded()) {
        return new Outcome.OutputTooLarge(outputLimit, err.text());
      }
      if (watch.timedOut()) {
        return new Outcome.TimedOut(timeoutMs, err.text());
      }
      if (e.isExit()) {
        int code = e.getExitStatus();
        return code == 0 ? new Outcome.Succeeded(err.text()) : failure(new Outcome.Exited(code, err.text()), probe, memoryMb, capMargin);
      }
      if (e.isCancelled() || e.isInterrupted()) {
        return new Outcome.Broken("the call was cancelled (node shutting down?)", err.text());
      }
      if (e.isGuestException() || e.isResourceExhausted()) {
        probe.sample();
        return failure(new Outcome.Trapped(e.getMessage(), err.text()), probe, memoryMb, capMargin);
      }
      return new Outcome.Broken("engine error: " + e.getMessage(), err.text());
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
