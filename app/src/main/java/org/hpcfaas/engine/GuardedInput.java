package org.hpcfaas.engine;

import java.io.IOException;
import java.io.InputStream;

/**
 * The guest's stdin: while it waits for the caller's data its clock is paused; when the stream it reads
 * from breaks (the upload was cut), the guest is stopped. A byte read ahead to learn that stdin is
 * ready (poll_oneoff) is handed out first.
 */
final class GuardedInput extends InputStream implements StdinReadiness {
  private static final int NONE = -2;
  private final InputStream source;
  private final CallControl control;
  private volatile IOException broken;
  private int ahead = NONE;

  GuardedInput(InputStream source, CallControl control) {
    this.source = source;
    this.control = control;
  }

  IOException broken() {
    return broken;
  }

  @Override
  public int read() throws IOException {
    var one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (ahead != NONE && len > 0) {
      int first = ahead;
      ahead = NONE;
      if (first < 0) {
        return -1;
      }
      b[off] = (byte) first;
      return 1;
    }
    return control.waitingFor(() -> source.read(b, off, len), e -> broken = e);
  }

  @Override
  public int available() throws IOException {
    return ahead >= 0 ? 1 : source.available();
  }

  @Override
  public boolean readyNow() {
    try {
      return ahead != NONE || source.available() > 0;
    } catch (IOException e) {
      return true; // the next read reports it
    }
  }

  @Override
  public void awaitReady() throws IOException {
    if (ahead == NONE) {
      ahead = control.waitingFor(source::read, e -> broken = e);
    }
  }
}
