package org.hpcfaas.engine;

import java.io.IOException;
import java.io.InputStream;

/**
 * The guest's stdin: while it waits for the caller's data its clock is paused; when the stream it reads
 * from breaks (the upload was cut), the guest is stopped.
 */
final class GuardedInput extends InputStream {
  private final InputStream source;
  private final CallControl control;
  private volatile IOException broken;

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
    return control.waitingFor(() -> source.read(b, off, len), e -> broken = e);
  }

  @Override
  public int available() throws IOException {
    return source.available();
  }
}
