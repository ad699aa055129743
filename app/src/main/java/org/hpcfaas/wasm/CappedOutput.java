package org.hpcfaas.wasm;

import java.io.IOException;
import java.io.OutputStream;

/** The guest's stdout: forwards every write at once, and stops the guest when it writes past its limit. */
final class CappedOutput extends OutputStream {
  private final OutputStream target;
  private final long limit;
  private final Runnable onExceeded;
  private long written;
  private volatile boolean exceeded;

  CappedOutput(OutputStream target, long limit, Runnable onExceeded) {
    this.target = target;
    this.limit = limit;
    this.onExceeded = onExceeded;
  }

  boolean exceeded() {
    return exceeded;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (limit >= 0 && written + len > limit) {
      exceeded = true;
      onExceeded.run();
      throw new IOException("output limit of " + limit + " bytes exceeded");
    }
    written += len;
    target.write(b, off, len);
  }

  @Override
  public void flush() throws IOException {
    target.flush();
  }
}
