package org.hpcfaas.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmUpTest {
  private static final int BUDGET_MB = 1024;
  private static final int CALLS = 20;
  @TempDir
  static Path scratch;
  static WasmEngine engine;

  @BeforeAll
  static void startEngine() {
    engine = new WasmEngine(new EngineSettings(4096, BUDGET_MB, 1000, 0.125, scratch, 1 << 20,
        Map.of("engine.FirstTierCompilationThreshold", "100"), new WarmUp.Settings(CALLS, Duration.ofSeconds(60), "x\n")));
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  private static void awaitWarmUp() throws Exception {
    Await.until(Duration.ofSeconds(60), "warm-up done", () -> engine.warmingUp() == 0);
  }

  @Test
  void newCommandModuleRunsInTheBackgroundAndGivesItsMemoryBack() throws Exception {
    long before = engine.warmUpCalls();
    var echo = TestModules.example("echo");
    engine.compile(TestModules.sha256(echo), echo, 16, 10_000);
    awaitWarmUp();
    assertEquals(CALLS, engine.warmUpCalls() - before);
    assertEquals(BUDGET_MB, engine.memoryFreeMb());
  }

  @Test
  void reactorIsWarmedOnAnInstanceOfItsOwn() throws Exception {
    long before = engine.warmUpCalls();
    var counter = TestModules.testFunction("counter");
    var module = engine.compile(TestModules.sha256(counter), counter, 16, 10_000);
    awaitWarmUp();
    assertEquals(CALLS, engine.warmUpCalls() - before);
    try (var pool = new ReactorPool(engine, "counter")) {
      var out = new ByteArrayOutputStream();
      pool.run(module, new Invocation("id", "counter", List.of("counter"), Map.of(), List.of(),
          new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), out, -1), 10_000);
      assertEquals("call 1\n", out.toString(StandardCharsets.UTF_8), "the first real call gets a fresh instance");
    }
    assertEquals(BUDGET_MB, engine.memoryFreeMb());
  }

  @Test
  void warmUpStopsAtTheFirstCallThatDoesNotEndNormally() throws Exception {
    long before = engine.warmUpCalls();
    var trap = TestModules.testFunction("trap");
    engine.compile(TestModules.sha256(trap), trap, 16, 10_000);
    awaitWarmUp();
    assertEquals(1, engine.warmUpCalls() - before);
    assertEquals(BUDGET_MB, engine.memoryFreeMb());
  }
}
