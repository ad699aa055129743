package org.hpcfaas.wasm;

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

  void pause() {
    var w = watch;
    if (w != null) {
      w.pause();
    }
  }

  void resume() {
    var w = watch;
    if (w != null) {
      w.resume();
    }
  }
}
