package org.hpcfaas.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.hpcfaas.testing.TestModules;
import org.junit.jupiter.api.Test;
import org.hpcfaas.core.Outcome;
import org.hpcfaas.core.ModuleKind;

/** functions-sdk/prebuilt (what the demo runs without clang) against the examples built afresh from C. */
class PrebuiltModulesTest extends WithEngine {
  private static final long TIMEOUT_MS = 20_000;
  private static final Path PREBUILT = TestModules.prebuiltDir();
  private static final Path FRESH = TestModules.freshExamplesDir();

  private static List<String> names(Path dir, String suffix) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
          .map(n -> n.substring(0, n.length() - suffix.length())).sorted().toList();
    }
  }

  private static byte[] module(Path dir, String name) throws Exception {
    return Files.readAllBytes(dir.resolve(name + ".wasm"));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** Each input of {@code calls} in turn, in one fresh instance each (commands) or one warm instance (reactors). */
  private static List<String> run(byte[] module, List<byte[]> calls) throws Exception {
    var compiled = engine.compile(sha256(module), module, 64, TIMEOUT_MS);
    var outputs = new ArrayList<String>();
    try (var pool = new ReactorPool(engine, "fn")) {
      for (byte[] input : calls) {
        var out = new ByteArrayOutputStream();
        var inv = new Invocation("id", "fn", List.of("fn"), Map.of(), List.of(), new ByteArrayInputStream(input), out, -1);
        var outcome = compiled.kind() == ModuleKind.REACTOR
            ? pool.run(compiled, inv, TIMEOUT_MS)
            : engine.runCommand(compiled, inv, TIMEOUT_MS);
        assertInstanceOf(Outcome.Succeeded.class, outcome);
        outputs.add(out.toString(StandardCharsets.UTF_8));
      }
    }
    return outputs;
  }

  private static List<byte[]> inputs(String example) {
    var random = new byte[300_000];
    new Random(7).nextBytes(random);
    var text = "The quick brown fox\njumps over the lazy dog\n".repeat(5000).getBytes(StandardCharsets.US_ASCII);
    return switch (example) {
      case "matmul" -> List.of("8 2".getBytes(StandardCharsets.US_ASCII), "33".getBytes(StandardCharsets.US_ASCII));
      case "greet" -> List.of("Ada".getBytes(StandardCharsets.US_ASCII), new byte[0], "Grace\n".getBytes(StandardCharsets.US_ASCII));
      case "dataset" -> List.of("3 1 4 1 5 9 2 6".getBytes(StandardCharsets.US_ASCII),
          "2.5e3\n-1\n7\n".repeat(20_000).getBytes(StandardCharsets.US_ASCII));
      // psum's children need a cluster (api.FunctionCallsTest); alone it can only sum nothing
      case "psum" -> List.of(new byte[0]);
      default -> List.of(new byte[0], "abc".getBytes(StandardCharsets.US_ASCII), text, random);
    };
  }

  @Test
  void everyExampleIsShippedPrebuilt() throws Exception {
    assertEquals(names(PREBUILT.resolveSibling("examples"), ".c"),
        names(PREBUILT, ".wasm"), "functions-sdk/prebuilt has one module per example (run functions-sdk/update-prebuilt.sh)");
    assertEquals(names(FRESH, ".wasm"), names(PREBUILT, ".wasm"));
  }

  @Test
  void prebuiltModulesBehaveLikeFreshBuilds() throws Exception {
    for (String name : names(FRESH, ".wasm")) {
      var calls = inputs(name);
      var fresh = run(module(FRESH, name), calls);
      assertEquals(fresh, run(module(PREBUILT, name), calls), name + ": prebuilt and fresh build answer alike");
      assertTrue(fresh.stream().anyMatch(o -> !o.isEmpty()), name + " answered something");
    }
  }

  @Test
  void prebuiltModulesAreByteForByteTheFreshBuildsWithTheSameClang() throws Exception {
    var recorded = Files.readString(PREBUILT.resolve("clang-version.txt")).strip();
    var process = new ProcessBuilder(System.getenv().getOrDefault("CLANG", "clang"), "--version").start();
    var local = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
    process.waitFor();
    assumeTrue(recorded.equals(local), () -> "prebuilt with '" + recorded + "', this build has '" + local + "'");
    for (String name : names(FRESH, ".wasm")) {
      assertArrayEquals(module(FRESH, name), module(PREBUILT, name),
          name + ".wasm differs from a fresh build: run functions-sdk/update-prebuilt.sh and commit functions-sdk/prebuilt");
    }
  }
}
