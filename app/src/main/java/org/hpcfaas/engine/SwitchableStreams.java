package org.hpcfaas.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The stdin and stdout of a warm instance, rebound to each invocation's streams in turn. */
final class SwitchableStreams {
  private volatile InputStream in = InputStream.nullInputStream();
  private volatile StdinReadiness readiness = StdinReadiness.ALWAYS;
  private volatile OutputStream out = OutputStream.nullOutputStream();

  void bind(GuardedInput stdin, OutputStream stdout) {
    this.in = stdin;
    this.readiness = stdin;
    this.out = stdout;
  }

  void unbind() {
    this.in = InputStream.nullInputStream();
    this.readiness = StdinReadiness.ALWAYS;
    this.out = OutputStream.nullOutputStream();
  }

  /** The readiness of whichever call's stdin is bound. */
  final StdinReadiness readinessOfStdin = new StdinReadiness() {
    @Override
    public boolean readyNow() {
      return readiness.readyNow();
    }

    @Override
    public void awaitReady() throws IOException {
      readiness.awaitReady();
    }
  };

  final InputStream stdin = new InputStream() {
    @Override
    public int read() throws IOException {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }
  };

  final OutputStream stdout = new OutputStream() {
    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  };
}
