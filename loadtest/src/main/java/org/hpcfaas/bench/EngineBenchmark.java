package org.hpcfaas.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.hpcfaas.engine.CompiledModule;
import org.hpcfaas.engine.EngineSettings;
import org.hpcfaas.engine.InvalidModuleException;
import org.hpcfaas.engine.Invocation;
import org.hpcfaas.core.ModuleKind;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.engine.ReactorPool;
import org.hpcfaas.engine.WasmEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Costs of the WebAssembly engine itself (no HTTP, no actors, no WASM thread pool hand-off): a call into a
 * warm reactor, a command in a fresh instance, deploying a never-seen module, and a compute kernel
 * against the same C built natively. Run it with {@code loadtest/bench-engine}, which also writes
 * loadtest/RESULTS.md.
 *
 * <h2>How the Graal JIT gets into the benchmark JVM</h2>
 * GraalWasm is only fast with the Graal compiler on the upgrade module path and Truffle/GraalWasm on the
 * module path (see ./hpcfaas). Those flags hold machine-specific paths, so they are not written here: the
 * script passes them with JMH's {@code -jvmArgsPrepend}, and JMH puts them on the command line of each
 * forked benchmark JVM. The alternative, starting JMH's own JVM with the flags and running with
 * {@code -f 0}, would also get the JIT, but then every benchmark shares one JVM: the Truffle compile
 * queue, code cache and JVM profiles of one benchmark leak into the next (JMH warns against fork 0 for
 * exactly this), so the order of benchmarks would change the numbers. One fresh fork per benchmark is
 * the correct setup, and {@code -jvmArgsPrepend} is the way to give a fork flags without hard-coding them.
 *
 * <p>{@code jvmArgs = {}} is deliberate: when no jvmArgs are set at all, JMH 1.37 copies the host JVM's
 * own arguments ({@code RuntimeMXBean.getInputArguments()}) into the fork, so whatever the harness JVM
 * was started with would silently change the measured JVM. With an explicit empty list the fork gets
 * exactly: the script's prepended Graal flags, then {@code jvmArgsAppend} below. If the flags are
 * missing anyway, {@link #engine()} refuses to run: an interpreted engine must not produce numbers.
 *
 * <p>Every benchmark checks its {@link Outcome} and its output and throws on anything unexpected, so a
 * broken engine fails the run instead of reporting a fast failure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// A fixed 2 GiB heap: no heap resizing during a run; each instance's linear memory is a byte[] on it.
@Fork(value = 1, jvmArgs = {}, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
// Warmup: the Truffle compiler needs ~10-15 s on 2 cores before matmul's main and the fresh-instance path
// reach their last tier (checked with -Dpolyglot.engine.TraceCompilation=true); 6 benchmarks x ~30 s.
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
public class EngineBenchmark {
  /** What {@link WasmEngine#runtimeName()} says when the optimizing Graal JIT is in use. */
  static final String JIT_RUNTIME = "GraalVM CE";
  /**
   * Only a guard against hangs. Not the node's 10 s default: the very first matmulWasm call runs in the
   * Truffle interpreter (~3 s idle, over 10 s when the 2 cores are shared) before its loops are compiled.
   */
  static final long TIMEOUT_MS = 120_000;
  /** The default memory cap of a deployed function (application.conf limits.default-memory-mb). */
  static final int MEMORY_MB = 64;
  static final long OUTPUT_LIMIT = 16L << 20;
  static final String MATMUL_INPUT = "256 4";
  static final Pattern MATMUL_OUTPUT = Pattern.compile("n=256 reps=4 checksum=(\\S+)\n");

  // ---------------------------------------------------------------------------------------------
  // States: each benchmark uses only the state it needs, so a fork compiles and runs nothing else.

  /** A warm instance of echo_reactor (loadtest/src/main/c) behind a ReactorPool; 1 KiB in, 1 KiB out. */
  @State(Scope.Benchmark)
  public static class Reactor {
    WasmEngine engine;
    CompiledModule module;
    ReactorPool pool;
    final byte[] input = pattern(1024);
    final Sink out = new Sink(2048);

    @Setup(Level.Trial)
    public void setup() throws Exception {
      engine = engine();
      module = compile(engine, file("loadtest/target/wasm/echo_reactor.wasm"), ModuleKind.REACTOR);
      pool = new ReactorPool(engine, "echo_reactor");
    }

    @TearDown(Level.Trial)
    public void close() {
      pool.close();
      engine.close();
    }
  }

  /** {@link Echo} on an engine that makes two instances of each command ahead of its calls. */
  @State(Scope.Benchmark)
  public static class EchoAhead extends Echo {
    @Override
    int readyInstances() {
      return 2;
    }
  }

  /** The SDK's echo command example (wasi-libc, ~6 initial pages) with a 12-byte input. */
  @State(Scope.Benchmark)
  public static class Echo {
    WasmEngine engine;
    CompiledModule module;
    final byte[] input = "hello, wasm\n".getBytes(StandardCharsets.US_ASCII);
    final Sink out = new Sink(64);

    int readyInstances() {
      return 0;
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
      engine = engine(readyInstances());
      module = compile(engine, file("functions-sdk/target/wasm/echo.wasm"), ModuleKind.COMMAND);
    }

    @TearDown(Level.Trial)
    public void close() {
      engine.close();
    }
  }

  /** loadtest/src/main/wat/tiny.wat: one page of memory, _start writes "ok\n"; no libc at all. */
  @State(Scope.Benchmark)
  public static class Tiny {
    WasmEngine engine;
    CompiledModule module;
    final byte[] expected = "ok\n".getBytes(StandardCharsets.US_ASCII);
    final Sink out = new Sink(64);

    @Setup(Level.Trial)
    public void setup() throws Exception {
      engine = engine();
      module = compile(engine, file("loadtest/target/wasm/tiny.wasm"), ModuleKind.COMMAND);
      if (module.initialPages() != 1) {
        throw new IllegalStateException("tiny.wasm should have 1 initial page, has " + module.initialPages());
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      engine.close();
    }
  }

  /** echo.wasm plus a custom section holding a counter: every call deploys bytes the engine never saw. */
  @State(Scope.Benchmark)
  public static class NewModule {
    WasmEngine engine;
    byte[] base;
    long counter;
    final byte[] input = "hello, wasm\n".getBytes(StandardCharsets.US_ASCII);
    final Sink out = new Sink(64);

    @Setup(Level.Trial)
    public void setup() throws Exception {
      engine = engine();
      base = Files.readAllBytes(file("functions-sdk/target/wasm/echo.wasm"));
      // Start from the nanosecond clock, not 0: no two runs or forks ever produce the same module bytes.
      counter = System.nanoTime();
    }

    @TearDown(Level.Trial)
    public void close() {
      engine.close();
    }
  }

  /** matmul.c as wasm (fresh instance per call, like every command) and as the gcc -O2 binary. */
  @State(Scope.Benchmark)
  public static class Matmul {
    WasmEngine engine;
    CompiledModule module;
    Path nativeBinary;
    final byte[] input = MATMUL_INPUT.getBytes(StandardCharsets.US_ASCII);
    final Sink out = new Sink(256);
    final double expectedChecksum = matmulChecksum(256);

    @Setup(Level.Trial)
    public void setup() throws Exception {
      engine = engine();
      module = compile(engine, file("functions-sdk/target/wasm/matmul.wasm"), ModuleKind.COMMAND);
      nativeBinary = file("functions-sdk/target/wasm/native/matmul");
    }

    @TearDown(Level.Trial)
    public void close() {
      engine.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Benchmarks

  /** One call into a warm reactor instance through ReactorPool.run: 1 KiB in, the same 1 KiB out. */
  @Benchmark
  public int warmReactorCall(Reactor s) {
    s.out.reset();
    var outcome = s.pool.run(s.module, invocation("echo_reactor", s.input, s.out), TIMEOUT_MS);
    expect(outcome, s.out, s.input, "warmReactorCall");
    return s.out.size();
  }

  /** The echo example in a fresh Context + instance (WasmEngine.runCommand), 12 bytes in and out. */
  @Benchmark
  public int freshCommandInstance(Echo s) {
    return echo(s, "freshCommandInstance");
  }

  /**
   * The echo example with two instances made ahead of each call on the engine's background thread (the
   * node's default): the call's own path only. The background thread's work is not in the time per call but
   * takes the other core.
   */
  @Benchmark
  public int freshCommandInstanceMadeAhead(EchoAhead s) {
    return echo(s, "freshCommandInstanceMadeAhead");
  }

  private static int echo(Echo s, String benchmark) {
    s.out.reset();
    var outcome = s.engine.runCommand(s.module, invocation("echo", s.input, s.out), TIMEOUT_MS);
    expect(outcome, s.out, s.input, benchmark);
    return s.out.size();
  }

  /** The same for a 1-page module without libc: what a fresh instance costs apart from its memory. */
  @Benchmark
  public int freshCommandInstanceOnePage(Tiny s) {
    s.out.reset();
    var outcome = s.engine.runCommand(s.module, invocation("tiny", new byte[0], s.out), TIMEOUT_MS);
    expect(outcome, s.out, s.expected, "freshCommandInstanceOnePage");
    return s.out.size();
  }

  /**
   * Deploy-to-first-result inside the engine for a module it has never seen: sha256 of the bytes, parse,
   * validate (one instantiation), compile, then one command run, interpreted at first since the code is
   * new. Registry storage and HTTP are not included. The module is evicted afterwards so the cache
   * does not grow with the benchmark.
   */
  @Benchmark
  public int newModuleDeployToFirstResult(NewModule s) throws InvalidModuleException {
    byte[] bytes = withCounterSection(s.base, ++s.counter);
    String sha = sha256(bytes);
    if (s.engine.cached(sha, MEMORY_MB) != null) {
      throw new IllegalStateException("newModuleDeployToFirstResult: module " + sha + " was already compiled");
    }
    var module = s.engine.compile(sha, bytes, MEMORY_MB, TIMEOUT_MS);
    try {
      s.out.reset();
      var outcome = s.engine.runCommand(module, invocation("new", s.input, s.out), TIMEOUT_MS);
      expect(outcome, s.out, s.input, "newModuleDeployToFirstResult");
      return s.out.size();
    } finally {
      s.engine.evict(sha);
    }
  }

  /** matmul 256 x 256, 4 repetitions, in a fresh wasm instance (input "256 4"). */
  @Benchmark
  @Warmup(iterations = 10, time = 2) // main() reaches Truffle's last tier only after ~12-14 s on 2 cores
  public double matmulWasm(Matmul s) {
    s.out.reset();
    var outcome = s.engine.runCommand(s.module, invocation("matmul", s.input, s.out), TIMEOUT_MS);
    if (!outcome.succeeded()) {
      throw new IllegalStateException("matmulWasm failed: " + outcome);
    }
    return checkMatmul(s.out.text(), s.expectedChecksum, "matmulWasm");
  }

  /**
   * The same C, gcc -O2, as a process with the same stdin. The 4 repetitions (~40 ms of work) amortize
   * the process start (~1-2 ms fork/exec), just as they amortize the fresh instance on the wasm side.
   */
  @Benchmark
  public double matmulNative(Matmul s) throws IOException, InterruptedException {
    var process = new ProcessBuilder(s.nativeBinary.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(s.input);
    }
    String text;
    try (InputStream stdout = process.getInputStream()) {
      text = new String(stdout.readAllBytes(), StandardCharsets.US_ASCII);
    }
    int code = process.waitFor();
    if (code != 0) {
      throw new IllegalStateException("matmulNative: " + s.nativeBinary + " exited with " + code);
    }
    return checkMatmul(text, s.expectedChecksum, "matmulNative");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** A shared engine set up as a node sets it up (application.conf defaults), JIT required, no instance made ahead. */
  static WasmEngine engine() {
    return engine(0);
  }

  static WasmEngine engine(int readyInstances) {
    var engine = new WasmEngine(new EngineSettings(8 * 1024, 1024, 5_000, 0.125,
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "hpcfaas-bench-scratch"), 256L << 20,
        java.util.Map.of(), org.hpcfaas.engine.WarmUp.Settings.OFF, 60_000, readyInstances));
    String runtime = engine.runtimeName();
    if (!JIT_RUNTIME.equals(runtime)) {
      engine.close();
      throw new IllegalStateException("GraalWasm runs on '" + runtime + "', not '" + JIT_RUNTIME
          + "': the Graal JIT is missing and the numbers would be meaningless. Run the benchmark with"
          + " loadtest/bench-engine, which passes -XX:+EnableJVMCI --upgrade-module-path=<compiler jar>"
          + " --module-path=<graal jars> to the forked JVM.");
    }
    System.out.println("# hpcfaas: WebAssembly runtime " + runtime);
    return engine;
  }

  /** A file under the repository root: -Dhpcfaas.root (set by bench-engine), else the working directory. */
  static Path file(String relative) {
    var root = Path.of(System.getProperty("hpcfaas.root", ".")).toAbsolutePath().normalize();
    var path = root.resolve(relative);
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(path + " is missing: build first (mvn -q package -DskipTests from the"
          + " repository root; tiny.wasm also needs wat2wasm from wabt), or set -Dhpcfaas.root");
    }
    return path;
  }

  static CompiledModule compile(WasmEngine engine, Path path, ModuleKind kind) throws Exception {
    byte[] bytes = Files.readAllBytes(path);
    var module = engine.compile(sha256(bytes), bytes, MEMORY_MB, TIMEOUT_MS);
    if (module.kind() != kind) {
      throw new IllegalStateException(path + " is a " + module.kind() + ", expected a " + kind);
    }
    System.out.println("# hpcfaas: " + path.getFileName() + ": " + bytes.length + " bytes, "
        + module.initialPages() + " initial page(s) of 64 KiB");
    return module;
  }

  static Invocation invocation(String function, byte[] input, OutputStream out) {
    return new Invocation("bench", function, java.util.List.of(function), Map.of(), java.util.List.of(),
        new ByteArrayInputStream(input), out, OUTPUT_LIMIT);
  }

  static void expect(Outcome outcome, Sink out, byte[] expected, String benchmark) {
    if (!outcome.succeeded()) {
      throw new IllegalStateException(benchmark + " failed: " + outcome);
    }
    if (!out.contentEquals(expected)) {
      throw new IllegalStateException(benchmark + ": wrong output (" + out.size() + " bytes): "
          + out.text().substring(0, Math.min(80, out.size())));
    }
  }

  static double checkMatmul(String output, double expected, String benchmark) {
    var m = MATMUL_OUTPUT.matcher(output);
    if (!m.matches()) {
      throw new IllegalStateException(benchmark + ": unexpected output: " + output);
    }
    double checksum = Double.parseDouble(m.group(1));
    if (Math.abs(checksum - expected) > Math.abs(expected) * 1e-6) {
      throw new IllegalStateException(benchmark + ": checksum " + checksum + ", expected " + expected);
    }
    return checksum;
  }

  /**
   * The checksum matmul.c prints: the sum of all entries of C = A x B, with a[i][k] = (i*k) % 7 + 1 and
   * b[k][j] = (k+j) % 5, is sum_k (sum_i a[i][k]) * (sum_j b[k][j]); all partial sums are integers far
   * below 2^53, so this is exact. The repetitions recompute the same C.
   */
  static double matmulChecksum(int n) {
    double sum = 0;
    for (long k = 0; k < n; k++) {
      double colA = 0;
      double rowB = 0;
      for (long i = 0; i < n; i++) {
        colA += (double) ((i * k) % 7 + 1);
        rowB += (double) ((k + i) % 5);
      }
      sum += colA * rowB;
    }
    return sum;
  }

  /** The module with a custom section "hpcfaas-bench" holding 8 counter bytes appended (same size every time). */
  static byte[] withCounterSection(byte[] module, long counter) {
    byte[] name = "hpcfaas-bench".getBytes(StandardCharsets.US_ASCII);
    int payload = 1 + name.length + 8; // name length (1-byte LEB128), name, counter
    byte[] out = Arrays.copyOf(module, module.length + 2 + payload);
    int p = module.length;
    out[p++] = 0; // custom section id
    out[p++] = (byte) payload; // section size, < 128 so one LEB128 byte
    out[p++] = (byte) name.length;
    System.arraycopy(name, 0, out, p, name.length);
    p += name.length;
    for (int i = 0; i < 8; i++) {
      out[p++] = (byte) (counter >>> (8 * i));
    }
    return out;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] pattern(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    b[size - 1] = '\n';
    return b;
  }

  /** The guest's stdout: an unsynchronized growable buffer, reused across calls. */
  static final class Sink extends OutputStream {
    private byte[] buf;
    private int size;

    Sink(int capacity) {
      buf = new byte[capacity];
    }

    void reset() {
      size = 0;
    }

    int size() {
      return size;
    }

    boolean contentEquals(byte[] expected) {
      return Arrays.equals(buf, 0, size, expected, 0, expected.length);
    }

    String text() {
      return new String(buf, 0, size, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (size + len > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + len));
      }
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }

    @Override
    public void close() {
      // Stays usable: the engine may close the guest's streams when its Context closes.
    }
  }
}
