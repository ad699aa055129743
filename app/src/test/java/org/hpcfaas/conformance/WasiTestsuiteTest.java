package org.hpcfaas.conformance;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public WASI preview 1 test suite (github.com/WebAssembly/wasi-testsuite, branch prod/testsuite-base,
 * its prebuilt wasm32-wasip1 modules) run through the HTTP API as a user would: each module deployed with
 * {@code runtimeEnv=false} and, when its spec names a directory, that directory (a fresh copy) as a
 * read-write volume mounted at {@code /}; argv through {@code arg}, the environment through parameters.
 * Opt-in, since the suite is not part of this repository:
 * {@code mvn -pl app verify -Dtest=WasiTestsuiteTest -Dwasi.testsuite=DIR/tests}.
 */
@EnabledIfSystemProperty(named = "wasi.testsuite", matches = ".+")
class WasiTestsuiteTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  static Path work;
  static TestNode node;
  static Path volume;

  @BeforeAll
  static void start() throws Exception {
    volume = Files.createDirectories(work.resolve("volume"));
    node = TestNode.start(work.resolve("node"), "hpcfaas.volumes.suite { path = \"" + volume + "\" }\n");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @TestFactory
  Stream<DynamicTest> suite() throws IOException {
    var root = Path.of(System.getProperty("wasi.testsuite"));
    List<Path> modules;
    try (var files = Files.walk(root)) {
      modules = files.filter(p -> p.toString().endsWith(".wasm") && p.toString().contains("wasm32-wasip1"))
          .sorted().toList();
    }
    var tests = new ArrayList<DynamicTest>();
    for (int i = 0; i < modules.size(); i++) {
      var module = modules.get(i);
      var name = "wasi-" + i;
      tests.add(DynamicTest.dynamicTest(root.relativize(module).toString(), () -> run(name, module)));
    }
    return tests.stream();
  }

  private static void run(String name, Path module) throws Exception {
    var specFile = Path.of(module.toString().replaceAll("\\.wasm$", ".json"));
    JsonNode spec = Files.exists(specFile) ? JSON.readTree(specFile.toFile()) : JSON.createObjectNode();
    var deploy = new StringBuilder("runtimeEnv=false&timeoutMs=30000");
    clear(volume);
    if (spec.hasNonNull("root")) {
      copy(module.resolveSibling(spec.get("root").asText()), volume);
      deploy.append("&mount=suite:/");
    }
    var deployed = node.deploy(name, Files.readAllBytes(module), deploy.toString());
    assertEquals(201, deployed.statusCode(), () -> "deploy: " + text(deployed));
    var query = new ArrayList<String>();
    spec.path("args").forEach(a -> query.add("arg=" + encode(a.asText())));
    spec.path("env").fields().forEachRemaining(e -> query.add(encode(e.getKey()) + "=" + encode(e.getValue().asText())));
    query.add("transfer=bulk");
    var r = node.invoke(name, new byte[0], String.join("&", query));
    int exit = r.statusCode() == 200 ? 0
        : json(r).path("type").asText().endsWith("function-exit") ? json(r).get("exitCode").asInt() : -1;
    assertEquals(spec.path("exit_code").asInt(0), exit, () -> "exit code; the answer was " + r.statusCode() + " " + text(r));
    if (spec.hasNonNull("stdout")) {
      assertEquals(spec.get("stdout").asText(), text(r), "stdout");
    }
    node.delete("/v1/functions/" + name);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void clear(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (var p : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          Files.delete(p);
        }
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (var p : paths.toList()) {
        var target = to.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
