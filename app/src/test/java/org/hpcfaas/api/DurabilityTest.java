package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurabilityTest {
  @TempDir
  Path data;

  @Test
  void restartWithTheSameDataDirServesEveryFunctionAgain() throws Exception {
    try (var node = TestNode.start(data, "")) {
      assertEquals(201, node.deploy("upper", TestModules.example("upper"), "memoryMb=8").statusCode());
      assertEquals(200, node.deploy("upper", TestModules.example("upper"), "memoryMb=16").statusCode());
      assertEquals(201, node.deploy("greet", TestModules.example("greet"), "").statusCode());
      assertEquals(201, node.deploy("gone", TestModules.example("echo"), "").statusCode());
      assertEquals(204, node.delete("/v1/functions/gone").statusCode());
    }
    try (var files = Files.list(data.resolve("modules"))) {
      assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(), "no temporary files left");
    }
    try (var node = TestNode.start(data, "")) {
      assertEquals("ABC", text(node.invoke("upper", "abc")));
      var upper = json(node.get("/v1/functions/upper"));
      assertEquals(2, upper.get("version").asLong());
      assertEquals(16, upper.at("/limits/memoryMb").asInt());
      assertEquals("Hello, Ada! (call 1 of this instance)\n", text(node.invoke("greet", "Ada")));
      assertEquals(404, node.get("/v1/functions/gone").statusCode());
    }
  }
}
