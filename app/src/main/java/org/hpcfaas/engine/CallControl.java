package org.hpcfaas.engine;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * What a call's streams may do to the call: stop it (its stream broke or overflowed) and pause its clock
 * while they block. Bound to the call's watch once its Context exists.
 */
final class CallControl {
  private volatile Watchdog.Watch watch;

  Watchdog.Watch bind(Watchdog.Watch watch) {
    this.watch = watch;
    return watch;
  }

  void stop() {
    var w = watch;
    if (w != null) {
      w.kill();
    }
  }

  /** Blocking I/O on the caller's stream. */
  interface Io<T> {
    T run() throws IOException;
  }

  /**
   * Runs the guest's blocking I/O with its clock paused; if the stream breaks, reports it to
   * {@code broken} and stops the guest.
   */
  <T> T waitingFor(Io<T> io, Consumer<IOException> broken) throws IOException {
    pause();
    try {
      return io.run();
    } catch (IOException e) {
      broken.accept(e);
      stop();
      throw e;
    } finally {
      resume();
    }
  }

  private void pause() {
    var w = watch;
    if (w != null) {
      w.pause();
    }
  }

  private void resume() {
    var w = watch;
    if (w != null) {
      w.resume();
    }
  }
}
