package org.hpcfaas.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Context;

/**
 * Stops guests at their time limit by cancelling their Context; a stopped instance is never reused.
 * The limit bounds the time a guest runs, not the time it waits for its caller: while it is blocked
 * reading a streamed stdin or writing to a slow reader the clock is paused. A wall-clock ceiling (the
 * limit plus the stall allowance) bounds the whole call: past it the guest is cancelled and the thread
 * blocked in its caller's stream is interrupted, so a client that trickles or stops reading cannot hold a
 * WASM thread. Cancellations run on one small pool.
 */
final class Watchdog implements AutoCloseable {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
    var t = new Thread(r, "hpcfaas-watchdog");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService cancels = Executors.newFixedThreadPool(2, r -> {
    var t = new Thread(r, "hpcfaas-cancel");
    t.setDaemon(true);
    return t;
  });
  private final long stallAllowanceNanos;

  Watchdog(long stallAllowanceMs) {
    this.stallAllowanceNanos = TimeUnit.MILLISECONDS.toNanos(stallAllowanceMs);
    // A finished call's check is dropped at once, not kept (with its Context) until its deadline.
    timer.setRemoveOnCancelPolicy(true);
  }

  /** One watched call: fires once it has run for {@code timeoutMs}, unless done first. */
  final class Watch {
    private final Context context;
    private final long budgetNanos;
    private final long wallDeadline;
    private final Thread caller = Thread.currentThread();
    private long usedNanos;
    private long runningSince;
    private ScheduledFuture<?> check;
    private boolean done;
    private volatile boolean timedOut;
    private volatile boolean stalled;
    private volatile boolean killed;

    private Watch(Context context, long timeoutMs) {
      this.context = context;
      this.budgetNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      this.runningSince = System.nanoTime();
      this.wallDeadline = runningSince + budgetNanos + stallAllowanceNanos;
      schedule(budgetNanos);
    }

    private synchronized void schedule(long delayNanos) {
      if (!done) {
        check = timer.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
      }
    }

    private void check() {
      long left;
      long wallLeft;
      synchronized (this) {
        if (done) {
          return;
        }
        left = budgetNanos - used();
        wallLeft = wallDeadline - System.nanoTime();
        if (left <= 0) {
          timedOut = true;
        } else if (wallLeft <= 0) {
          stalled = true;
          // the guest waits in its caller's stream (a read or an offer): wake it; done() stops this for good
          caller.interrupt();
        }
      }
      if (left <= 0 || wallLeft <= 0) {
        kill();
      } else {
        schedule(Math.min(left, wallLeft));
      }
    }

    private long used() {
      return usedNanos + (runningSince >= 0 ? System.nanoTime() - runningSince : 0);
    }

    /** The guest blocks on its caller's stream: stop the clock. */
    synchronized void pause() {
      if (runningSince >= 0) {
        usedNanos += System.nanoTime() - runningSince;
        runningSince = -1;
      }
    }

    synchronized void resume() {
      if (runningSince < 0) {
        runningSince = System.nanoTime();
      }
    }

    boolean timedOut() {
      return timedOut;
    }

    /** Stopped at the wall-clock ceiling, having waited on its streams past the stall allowance. */
    boolean stalled() {
      return stalled;
    }

    long wallClockMs() {
      return TimeUnit.NANOSECONDS.toMillis(budgetNanos + stallAllowanceNanos);
    }

    /** Cancels the running guest now; close(true) blocks until it has left, so not on the caller's thread. */
    void kill() {
      if (killed) {
        return;
      }
      killed = true;
      cancels.execute(() -> {
        try {
          context.close(true);
        } catch (RuntimeException ignored) {
          // The context may already be closed or exiting; either way it is stopped.
        }
      });
    }

    synchronized void done() {
      done = true;
      if (check != null) {
        check.cancel(false);
      }
    }
  }

  Watch watch(Context context, long timeoutMs) {
    return new Watch(context, timeoutMs);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    cancels.shutdown();
  }
}
