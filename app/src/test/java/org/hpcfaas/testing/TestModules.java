package org.hpcfaas.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The WebAssembly modules the tests use, built by the Maven build (SDK examples, src/test/c) or shipped prebuilt. */
public final class TestModules {
  private TestModules() {}

  /** An SDK example: echo, upper, wordcount, sha256, greet, matmul. */
  public static byte[] example(String name) {
    return read(System.getProperty("hpcfaas.test.examples"), name);
  }

  /** A test function from src/test/c: loop, membomb, bigalloc, trap, fail, env, spew, counter, readhalf, stderrflood. */
  public static byte[] testFunction(String name) {
    return read(System.getProperty("hpcfaas.test.functions"), name);
  }

  /** An SDK example built in C++ or Rust: wordfreq (C++), numberlines and stats (Rust). */
  public static byte[] language(String name) {
    return read(System.getProperty("hpcfaas.test.languages"), name);
  }

  /** The folder of the SDK examples shipped prebuilt (functions-sdk/prebuilt). */
  public static Path prebuiltDir() {
    return Path.of(System.getProperty("hpcfaas.test.prebuilt"));
  }

  /** The folder of the SDK examples built from their sources by this build. */
  public static Path freshExamplesDir() {
    return Path.of(System.getProperty("hpcfaas.test.fresh-examples"));
  }

  private static byte[] read(String dir, String name) {
    if (dir == null) {
      throw new IllegalStateException("run the tests through Maven: it builds the modules and sets their location");
    }
    try {
      return Files.readAllBytes(Path.of(dir, name + ".wasm"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SHA-256 as the registry names modules. */
  public static String sha256(byte[] bytes) throws java.security.NoSuchAlgorithmException {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /**
   * A minimal hand-assembled module: a command whose memory starts at {@code minPages} and whose
   * {@code _start} does nothing.
   */
  public static byte[] emptyCommand(int minPages) {
    var out = new java.io.ByteArrayOutputStream();
    out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    out.writeBytes(new byte[] {1, 4, 1, 0x60, 0, 0});               // type section: () -> ()
    out.writeBytes(new byte[] {3, 2, 1, 0});                        // function section: f0 has type 0
    byte[] min = leb(minPages);
    out.write(5);                                                   // memory section
    out.write(2 + min.length);
    out.write(1);
    out.write(0);
    out.writeBytes(min);
    out.writeBytes(new byte[] {7, 10, 1, 6, '_', 's', 't', 'a', 'r', 't', 0, 0}); // export _start = f0
    out.writeBytes(new byte[] {10, 4, 1, 2, 0, 0x0b});              // code: empty body
    return out.toByteArray();
  }

  private static byte[] leb(int value) {
    var out = new java.io.ByteArrayOutputStream();
    do {
      int b = value & 0x7f;
      value >>>= 7;
      out.write(value != 0 ? b | 0x80 : b);
    } while (value != 0);
    return out.toByteArray();
  }
}
