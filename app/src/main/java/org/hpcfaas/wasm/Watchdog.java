package org.hpcfaas.wasm;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Context;

/** Stops guests at their time limit by cancelling their Context; a stopped instance is never reused. */
final class Watchdog implements AutoCloseable {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    var t = new Thread(r, "hpcfaas-watchdog");
    t.setDaemon(true);
    return t;
  });

  /** One watched call: fires after {@code timeoutMs} unless cancelled first. */
  final class Watch {
    private final Context context;
    private final ScheduledFuture<?> timer;
    private volatile boolean timedOut;
    private volatile boolean killed;

    private Watch(Context context, long timeoutMs) {
      this.context = context;
      this.timer = Watchdog.this.timer.schedule(() -> {
        timedOut = true;
        kill();
      }, timeoutMs, TimeUnit.MILLISECONDS);
    }

    boolean timedOut() {
      return timedOut;
    }

    /** Cancels the running guest now; close(true) blocks until it has left, so not on the caller's thread. */
    void kill() {
      if (killed) {
        return;
      }
      killed = true;
      Thread.ofPlatform().daemon().name("hpcfaas-cancel").start(() -> {
        try {
          context.close(true);
        } catch (RuntimeException ignored) {
          // The context may already be closed or exiting; either way it is stopped.
        }
      });
    }

    void done() {
      timer.cancel(false);
    }
  }

  Watch watch(Context context, long timeoutMs) {
    return new Watch(context, timeoutMs);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
