package org.hpcfaas.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.hpcfaas.testing.TestModules;
import org.junit.jupiter.api.Test;
import org.hpcfaas.core.Outcome;

class WasmEngineTest extends WithEngine {
  private static final long TIMEOUT_MS = 10_000;
  private record Run(Outcome outcome, byte[] output) {
    String text() {
      return new String(output, StandardCharsets.UTF_8);
    }
  }

  private static CompiledModule compile(byte[] module, int memoryMb) throws Exception {
    return engine.compile(sha(module), module, memoryMb, TIMEOUT_MS);
  }

  private static Run command(byte[] module, int memoryMb, byte[] input, long timeoutMs, long outputLimit) throws Exception {
    var out = new ByteArrayOutputStream();
    var inv = new Invocation("id-1", "fn", java.util.List.of("fn"), Map.of("GREETING", "hi"), java.util.List.of(),
        new ByteArrayInputStream(input), out, outputLimit);
    return new Run(engine.runCommand(compile(module, memoryMb), inv, timeoutMs), out.toByteArray());
  }

  private static Run command(byte[] module, String input) throws Exception {
    return command(module, 64, input.getBytes(StandardCharsets.UTF_8), TIMEOUT_MS, -1);
  }

  private static Run reactor(ReactorPool pool, CompiledModule module, String input) {
    var out = new ByteArrayOutputStream();
    var inv = new Invocation("id", "fn", java.util.List.of("fn"), Map.of(), java.util.List.of(),
        new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, -1);
    return new Run(pool.run(module, inv, TIMEOUT_MS), out.toByteArray());
  }

  @Test
  void theOptimizingRuntimeIsActive() {
    assertNotEquals("Interpreted", engine.runtimeName(), "tests must run with the Graal JIT flags (see app/pom.xml)");
    assertTrue(engine.optimizing());
  }

  @Test
  void examplesComputeWhatTheirNativeCounterpartsDo() throws Exception {
    assertEquals("hello\nworld\n", command(TestModules.example("echo"), "hello\nworld\n").text());
    assertEquals("STREAM ME 123", command(TestModules.example("upper"), "stream me 123").text());
    assertEquals("2 9 44\n", command(TestModules.example("wordcount"), "the quick brown fox\njumps over the lazy dog\n").text());
    assertEquals("n=4 reps=1 checksum=", command(TestModules.example("matmul"), "4 1").text().substring(0, 20));
  }

  @Test
  void sha256OfAMegabyteMatchesTheJdk() throws Exception {
    var input = new byte[1 << 20];
    new Random(42).nextBytes(input);
    var run = command(TestModules.example("sha256"), 64, input, TIMEOUT_MS, -1);
    var expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));
    assertEquals(expected + "\n", run.text());
  }

  @Test
  void guestSeesItsEnvironmentAndNothingElse() throws Exception {
    var run = command(TestModules.testFunction("env"), "");
    assertInstanceOf(Outcome.Succeeded.class, run.outcome());
    var lines = run.text().lines().sorted().toList();
    assertEquals(java.util.List.of("GREETING=hi"), lines, "the engine adds nothing of its own");
  }

  @Test
  void reactorInstanceStaysWarmAcrossCalls() throws Exception {
    var module = compile(TestModules.example("greet"), 64);
    try (var pool = new ReactorPool(engine, "greet")) {
      assertEquals("Hello, Ada! (call 1 of this instance)\n", reactor(pool, module, "Ada").text());
      assertEquals("Hello, Bob! (call 2 of this instance)\n", reactor(pool, module, "Bob\n").text());
      assertEquals("Hello, world! (call 3 of this instance)\n", reactor(pool, module, "").text());
      assertEquals(1, pool.warm());
    }
  }

  @Test
  void trappedReactorCallDiscardsItsInstanceButAnErrorReturnDoesNot() throws Exception {
    var module = compile(TestModules.testFunction("counter"), 64);
    try (var pool = new ReactorPool(engine, "counter")) {
      assertEquals("call 1\n", reactor(pool, module, "x").text());
      assertEquals("call 2\n", reactor(pool, module, "x").text());
      var failed = reactor(pool, module, "fail");
      assertEquals(5, assertInstanceOf(Outcome.Exited.class, failed.outcome()).exitCode());
      assertEquals("call 4\n", reactor(pool, module, "x").text(), "the same instance after an error return");
      var trapped = reactor(pool, module, "trap");
      assertInstanceOf(Outcome.Trapped.class, trapped.outcome());
      assertEquals("call 1\n", reactor(pool, module, "x").text(), "a fresh instance after the trap");
    }
  }

  @Test
  void aWarmReactorInstanceStartsEachCallWithAnEmptyTmp() throws Exception {
    var module = compile(TestModules.testFunction("counter"), 64);
    try (var pool = new ReactorPool(engine, "counter")) {
      assertEquals("call 1\n", reactor(pool, module, "x").text());
      assertEquals("fresh\n", reactor(pool, module, "tmp").text());
      assertEquals("fresh\n", reactor(pool, module, "tmp").text(), "what the last call left in /tmp is gone");
      assertEquals("call 4\n", reactor(pool, module, "x").text(), "the same warm instance");
    }
  }

  @Test
  void loopingFunctionIsStoppedAtItsTimeLimit() throws Exception {
    var run = command(TestModules.testFunction("loop"), 64, new byte[0], 300, -1);
    assertEquals(300, assertInstanceOf(Outcome.TimedOut.class, run.outcome()).timeoutMs());
    assertEquals("x", command(TestModules.example("echo"), "x").text(), "the engine serves on");
  }

  @Test
  void memoryBombEndsAtItsCapWithAMemoryLimitFailure() throws Exception {
    var run = command(TestModules.testFunction("membomb"), 32, new byte[0], TIMEOUT_MS, -1);
    var failure = assertInstanceOf(Outcome.MemoryExhausted.class, run.outcome());
    assertEquals(32, failure.memoryMb());
    assertTrue(failure.usedBytes() <= 32L << 20, "memory never grew past the cap: " + failure.usedBytes());
    assertTrue(failure.stderr().contains("malloc failed after"), failure.stderr());
  }

  @Test
  void trapIsReportedWithItsMessageAndStderr() throws Exception {
    var trapped = assertInstanceOf(Outcome.Trapped.class, command(TestModules.testFunction("trap"), "").outcome());
    assertTrue(trapped.message().contains("unreachable"), trapped.message());
    assertEquals("about to trap\n", trapped.stderr());
  }

  @Test
  void nonZeroExitKeepsCodeAndStderr() throws Exception {
    var run = command(TestModules.testFunction("fail"), "");
    var exited = assertInstanceOf(Outcome.Exited.class, run.outcome());
    assertEquals(7, exited.exitCode());
    assertEquals("something went wrong: bad input\n", exited.stderr());
    assertEquals("partial", run.text());
  }

  @Test
  void stderrKeepsOnlyItsTail() throws Exception {
    var exited = assertInstanceOf(Outcome.Exited.class, command(TestModules.testFunction("stderrflood"), "").outcome());
    assertTrue(exited.stderr().startsWith("["), "marks dropped output");
    assertTrue(exited.stderr().length() < 4096 + 64, "bounded: " + exited.stderr().length());
  }

  @Test
  void endlessOutputIsStoppedAtTheOutputLimit() throws Exception {
    var run = command(TestModules.testFunction("spew"), 64, new byte[0], TIMEOUT_MS, 1 << 20);
    assertEquals(1 << 20, assertInstanceOf(Outcome.OutputTooLarge.class, run.outcome()).limitBytes());
    assertTrue(run.output().length <= 1 << 20);
  }

  @Test
  void functionThatReadsPartOfItsInputSucceeds() throws Exception {
    var run = command(TestModules.testFunction("readhalf"), 64, new byte[100_000], TIMEOUT_MS, -1);
    assertInstanceOf(Outcome.Succeeded.class, run.outcome());
  }

  @Test
  void moduleThatImportsWhatWasiLacksIsRejectedAtCompile() {
    // An import the sandbox does not provide fails at link time, which compile() checks.
    var module = new java.io.ByteArrayOutputStream();
    module.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0});
    module.writeBytes(new byte[] {2, 11, 1, 3, 'e', 'n', 'v', 3, 'f', 'o', 'o', 0, 0});
    module.writeBytes(new byte[] {7, 10, 1, 6, '_', 's', 't', 'a', 'r', 't', 0, 0});
    var e = assertThrows(InvalidModuleException.class, () -> compile(module.toByteArray(), 16));
    assertTrue(e.getMessage().contains("rejected"), e.getMessage());
  }

  @Test
  void memoryBudgetRefusesWhenFull() throws Exception {
    var small = new WasmEngine(new EngineSettings(1024, 48, 50, 0.125, scratch, 1 << 20));
    try {
      var echo = TestModules.example("echo");
      var module = small.compile(sha(echo), echo, 64, TIMEOUT_MS);
      var inv = new Invocation("id", "fn", java.util.List.of("fn"), Map.of(), java.util.List.of(),
          new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), -1);
      assertInstanceOf(Outcome.Overloaded.class, small.runCommand(module, inv, TIMEOUT_MS));
    } finally {
      small.close();
    }
  }

  static String sha(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
