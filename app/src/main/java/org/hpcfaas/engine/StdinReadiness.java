package org.hpcfaas.engine;

import java.io.IOException;

/** Whether a guest's stdin can be read without waiting, for its poll_oneoff and readv. */
interface StdinReadiness {
  /** True when a read would return at once (bytes are there, or the end is known). */
  boolean readyNow();

  /** Waits until {@link #readyNow()}; the call's clock is paused meanwhile. */
  void awaitReady() throws IOException;

  StdinReadiness ALWAYS = new StdinReadiness() {
    @Override
    public boolean readyNow() {
      return true;
    }

    @Override
    public void awaitReady() {}
  };
}
