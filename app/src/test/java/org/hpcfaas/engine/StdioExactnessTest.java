package org.hpcfaas.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.hpcfaas.testing.ChoppyInputStream;
import org.hpcfaas.testing.TestModules;
import org.junit.jupiter.api.Test;
import org.hpcfaas.core.Outcome;

/** A guest's stdio sees exactly the bytes of its input, in order, however they arrive. */
class StdioExactnessTest extends WithEngine {
  private static final long TIMEOUT_MS = 60_000;
  private static byte[] run(String function, InputStream stdin, String... args) throws Exception {
    var module = TestModules.testFunction(function);
    var compiled = engine.compile(WasmEngineTest.sha(module), module, 64, TIMEOUT_MS);
    var argv = new java.util.ArrayList<>(List.of(function));
    argv.addAll(List.of(args));
    var out = new ByteArrayOutputStream();
    var outcome = engine.runCommand(compiled, new Invocation("id", function, argv, Map.of(), List.of(), stdin, out, -1),
        TIMEOUT_MS);
    assertInstanceOf(Outcome.Succeeded.class, outcome, () -> outcome.toString());
    return out.toByteArray();
  }

  @Test
  void freadIntoAnyBufferSeesTheInputExactlyWhenItArrivesInPieces() throws Exception {
    var random = new Random(7);
    int[] buffers = {65536, 100_000, 4096, 1000, 7, 1};
    for (int call = 0; call < 24; call++) {
      var input = new byte[call % 3 == 0 ? 3 << 20 : random.nextInt(300_000)];
      random.nextBytes(input);
      int buffer = buffers[call % buffers.length];
      int maxPiece = 1 + random.nextInt(call % 2 == 0 ? 70_000 : 3000);
      var output = run("freadcat", new ChoppyInputStream(input, call, maxPiece), Integer.toString(buffer));
      assertEquals(input.length, output.length, "call " + call + ": fread(" + buffer + ") with pieces up to " + maxPiece);
      assertArrayEquals(input, output, "call " + call + ": fread(" + buffer + ") with pieces up to " + maxPiece);
    }
  }

  @Test
  void fgetsSeesEveryLineWhatEverItsBufferSize() throws Exception {
    var text = new StringBuilder();
    var random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      text.append("line ").append(i).append(' ').append("x".repeat(random.nextInt(300))).append('\n');
    }
    var input = text.toString().getBytes(StandardCharsets.UTF_8);
    for (int buffer : new int[] {4096, 64, 2}) {
      var output = run("fgetscat", new ChoppyInputStream(input, buffer, 5000), Integer.toString(buffer));
      assertArrayEquals(input, output, "fgets(" + buffer + ")");
    }
  }
}
