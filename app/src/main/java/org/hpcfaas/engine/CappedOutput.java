package org.hpcfaas.engine;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The guest's stdout: forwards every write at once (pausing the guest's clock while a slow reader holds
 * it), stops the guest when it writes past its limit, and when the stream breaks (the client went away).
 */
final class CappedOutput extends OutputStream {
  private final OutputStream target;
  private final long limit;
  private final CallControl control;
  private long written;
  private volatile boolean exceeded;
  private volatile IOException broken;

  CappedOutput(OutputStream target, long limit, CallControl control) {
    this.target = target;
    this.limit = limit;
    this.control = control;
  }

  boolean exceeded() {
    return exceeded;
  }

  IOException broken() {
    return broken;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (limit >= 0 && written + len > limit) {
      exceeded = true;
      control.stop();
      throw new IOException("output limit of " + limit + " bytes exceeded");
    }
    written += len;
    control.waitingFor(() -> {
      target.write(b, off, len);
      return null;
    }, e -> broken = e);
  }

  @Override
  public void flush() throws IOException {
    target.flush();
  }
}
