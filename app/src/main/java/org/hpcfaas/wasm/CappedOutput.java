package org.hpcfaas.wasm;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The guest's stdout: forwards every write at once, stops the guest when it writes past its limit, and
 * stops it too when the stream it writes to breaks (the client went away).
 */
final class CappedOutput extends OutputStream {
  private final OutputStream target;
  private final long limit;
  private final Runnable stop;
  private long written;
  private volatile boolean exceeded;
  private volatile IOException broken;

  CappedOutput(OutputStream target, long limit, Runnable stop) {
    this.target = target;
    this.limit = limit;
    this.stop = stop;
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
      stop.run();
      throw new IOException("output limit of " + limit + " bytes exceeded");
    }
    written += len;
    try {
      target.write(b, off, len);
    } catch (IOException e) {
      broken = e;
      stop.run();
      throw e;
    }
  }

  @Override
  public void flush() throws IOException {
    target.flush();
  }
}
