package org.hpcfaas.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command instances made ahead of their calls run each call with exactly its own argv, environment and stdin. */
class ReadyCommandsTest {
  private static final long TIMEOUT_MS = 60_000;
  private static final int MEMORY_MB = 16;
  @TempDir
  Path scratch;
  private WasmEngine engine;

  private WasmEngine engine(int budgetMb, int readyInstances) {
    engine = new WasmEngine(new EngineSettings(4096, budgetMb, 1000, 0.125, scratch, 1 << 20, Map.of(),
        WarmUp.Settings.OFF, 60_000, readyInstances));
    return engine;
  }

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  private CompiledModule compile(String function) throws Exception {
    var bytes = TestModules.testFunction(function);
    return engine.compile(TestModules.sha256(bytes), bytes, MEMORY_MB, TIMEOUT_MS);
  }

  private static String run(WasmEngine engine, CompiledModule module, List<String> argv, Map<String, String> env,
      String stdin) {
    var out = new ByteArrayOutputStream();
    var outcome = engine.runCommand(module, new Invocation("id", "context", argv, env, List.of(),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, -1), TIMEOUT_MS);
    assertInstanceOf(Outcome.Succeeded.class, outcome, outcome::toString);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String expected(List<String> argv, Map<String, String> env, String stdin) {
    var text = new StringBuilder().append(argv.size()).append('\n');
    argv.forEach(a -> text.append('[').append(a).append("]\n"));
    env.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.append(stdin).toString();
  }

  @Test
  void everyCallSeesItsOwnArgvEnvironmentAndStdinWhenItsInstanceWasMadeAhead() throws Exception {
    var engine = engine(1024, 2);
    var module = compile("context");
    assertTrue(module.readyAhead(), "a command reading stdin through the shim can be made ahead");
    for (int call = 0; call < 40; call++) {
      var argv = new ArrayList<>(List.of("context", "call " + call, "", "ünï €"));
      for (int i = 0; i < call % 5; i++) {
        argv.add("x".repeat(call * 7 + i));
      }
      var env = new LinkedHashMap<String, String>();
      env.put("HPCFAAS_INVOCATION_ID", "inv-" + call);
      for (int i = 0; i < call % 4; i++) {
        env.put("VAR_" + i, "value " + call + "=" + i);
      }
      var stdin = "input of call " + call + "\n".repeat(call % 3);
      assertEquals(expected(argv, env, stdin), run(engine, module, argv, env, stdin), "call " + call);
      if (call % 10 == 9) {
        Await.until(Duration.ofSeconds(30), "instances made ahead", () -> engine.readyInstances() == 2);
      }
    }
    assertTrue(engine.readyHits() >= 3, () -> "hits " + engine.readyHits() + ", misses " + engine.readyMisses());
    assertEquals(40, engine.readyHits() + engine.readyMisses());
  }

  @Test
  void aCallThatExitsNonZeroOrTrapsLeavesTheNextCallsUntouched() throws Exception {
    var engine = engine(1024, 2);
    var context = compile("context");
    var fail = compile("fail");
    for (int round = 0; round < 5; round++) {
      var outcome = engine.runCommand(fail, new Invocation("id", "fail", List.of("fail"), Map.of(), List.of(),
          new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), -1), TIMEOUT_MS);
      assertFalse(outcome instanceof Outcome.Succeeded, outcome::toString);
      var argv = List.of("context", "round " + round);
      assertEquals(expected(argv, Map.of(), "in"), run(engine, context, argv, Map.of(), "in"));
    }
  }

  @Test
  void instancesMadeAheadTakeAtMostHalfTheBudgetAndGiveItBackWhenACallNeedsIt() throws Exception {
    var engine = engine(4 * MEMORY_MB, 4);
    var context = compile("context");
    run(engine, context, List.of("context"), Map.of(), "");
    Await.until(Duration.ofSeconds(30), "an instance made ahead", () -> engine.readyInstances() >= 1);
    run(engine, context, List.of("context"), Map.of(), ""); // takes it; its shelf is filled again once it is closed
    Await.until(Duration.ofSeconds(30), "instances made ahead", () -> engine.readyInstances() == 2);
    assertEquals(2 * MEMORY_MB, engine.memoryFreeMb(), "two instances of 16 MiB in a 64 MiB budget, half kept free");
    var big = TestModules.testFunction("freadcat");
    var bigModule = engine.compile(TestModules.sha256(big), big, 4 * MEMORY_MB, TIMEOUT_MS);
    var out = new ByteArrayOutputStream();
    var outcome = engine.runCommand(bigModule, new Invocation("id", "freadcat", List.of("freadcat", "4096"), Map.of(),
        List.of(), new ByteArrayInputStream("all of the budget".getBytes()), out, -1), TIMEOUT_MS);
    assertInstanceOf(Outcome.Succeeded.class, outcome, outcome::toString);
    assertEquals("all of the budget", out.toString());
    assertEquals(0, engine.readyInstances(), "the instances made ahead were dropped to make room");
  }

  @Test
  void evictingAModuleClosesItsInstancesAndGivesTheirMemoryBack() throws Exception {
    var engine = engine(1024, 2);
    var context = compile("context");
    run(engine, context, List.of("context"), Map.of(), "");
    Await.until(Duration.ofSeconds(30), "instances made ahead", () -> engine.readyInstances() == 2);
    engine.evict(context.sha256());
    assertEquals(0, engine.readyInstances());
    Await.until(Duration.ofSeconds(30), "memory given back", () -> engine.memoryFreeMb() == 1024);
  }

  @Test
  void noInstanceIsMadeAheadWhenTheSettingIsZero() throws Exception {
    var engine = engine(1024, 0);
    var context = compile("context");
    for (int call = 0; call < 3; call++) {
      var argv = List.of("context", Integer.toString(call));
      assertEquals(expected(argv, Map.of(), ""), run(engine, context, argv, Map.of(), ""));
    }
    assertEquals(0, engine.readyInstances());
    assertEquals(0, engine.readyHits() + engine.readyMisses());
    assertEquals(1024, engine.memoryFreeMb());
  }

  @Test
  void aModuleWithAStartSectionIsNeverMadeAhead() throws Exception {
    var plain = TestModules.emptyCommand(1);
    assertFalse(WasmBinary.parse(plain).runsAtInstantiation());
    var withStart = new ByteArrayOutputStream();
    int code = plain.length - 6; // the code section is last: {10, 4, 1, 2, 0, 0x0b}
    withStart.write(plain, 0, code);
    withStart.writeBytes(new byte[] {8, 1, 0}); // start section: f0
    withStart.write(plain, code, 6);
    assertTrue(WasmBinary.parse(withStart.toByteArray()).runsAtInstantiation());
  }
}
