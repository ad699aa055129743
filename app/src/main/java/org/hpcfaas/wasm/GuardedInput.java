package org.hpcfaas.wasm;

import java.io.IOException;
import java.io.InputStream;

/** The guest's stdin: when the stream it reads from breaks (the upload was cut), the guest is stopped. */
final class GuardedInput extends InputStream {
  private final InputStream source;
  private final Runnable stop;
  private volatile IOException broken;

  GuardedInput(InputStream source, Runnable stop) {
    this.source = source;
    this.stop = stop;
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
    try {
      return source.read(b, off, len);
    } catch (IOException e) {
      broken = e;
      stop.run();
      throw e;
    }
  }

  @Override
  public int available() throws IOException {
    return source.available();
  }
}
