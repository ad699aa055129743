package org.hpcfaas.api;

import org.hpcfaas.core.Outcome;

/** Turns a failed outcome into the problem the client sees, with the exit code, trap and stderr tail. */
final class OutcomeProblems {
  private OutcomeProblems() {}

  static Problem of(String function, Outcome outcome) {
    return switch (outcome) {
      case Outcome.Exited x -> Problem.of(ProblemType.FUNCTION_EXIT,
              function + " exited with code " + x.exitCode())
          .with("exitCode", x.exitCode()).with("stderr", x.stderr());
      case Outcome.Trapped t -> Problem.of(ProblemType.FUNCTION_TRAP, function + " trapped: " + t.message())
          .with("trap", t.message()).with("stderr", t.stderr());
      case Outcome.TimedOut t -> Problem.of(ProblemType.FUNCTION_TIMEOUT,
              function + " was stopped at its time limit of " + t.timeoutMs() + " ms")
          .with("timeoutMs", t.timeoutMs()).with("stderr", t.stderr());
      case Outcome.Stalled t -> Problem.of(ProblemType.FUNCTION_STALLED,
              function + " was stopped at its wall-clock ceiling of " + t.wallClockMs()
                  + " ms: it spent too long waiting for its input or for its output to be read")
          .with("wallClockMs", t.wallClockMs()).with("stderr", t.stderr());
      case Outcome.MemoryExhausted m -> Problem.of(ProblemType.FUNCTION_MEMORY_LIMIT,
              function + " " + m.detail() + " after growing its memory to " + m.usedBytes() / (1024 * 1024)
                  + " MiB of its " + m.memoryMb() + " MiB limit (deploy with a larger memoryMb)")
          .with("memoryMb", m.memoryMb()).with("usedBytes", m.usedBytes()).with("stderr", m.stderr());
      case Outcome.OutputTooLarge o -> Problem.of(ProblemType.FUNCTION_OUTPUT_TOO_LARGE,
              function + " wrote more than the " + o.limitBytes() + " bytes a bulk response may hold")
          .with("limitBytes", o.limitBytes()).with("stderr", o.stderr());
      case Outcome.Overloaded o -> Problem.of(ProblemType.FUNCTION_OVERLOADED, o.reason()).with("retriable", true);
      case Outcome.Aborted a -> Problem.of(ProblemType.CLIENT_ABORTED, a.reason()).with("stderr", a.stderr());
      case Outcome.Broken b -> Problem.of(ProblemType.RUNTIME_ERROR, b.message()).with("stderr", b.stderr());
      case Outcome.Stopped s -> Problem.of(ProblemType.NO_WORKER, s.reason()).with("retriable", true);
      case Outcome.Succeeded s -> throw new IllegalArgumentException("not a failure: " + s);
    };
  }
}
