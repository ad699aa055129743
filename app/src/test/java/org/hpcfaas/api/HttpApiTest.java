package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpApiTest {
  @TempDir
  static Path data;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(data, """
        hpcfaas.limits.max-input-size = 1 MiB
        hpcfaas.limits.max-output-size = 256 KiB
        hpcfaas.invoke.queue-size = 1
        """);
    assertEquals(201, node.deploy("echo", TestModules.example("echo"), "").statusCode());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void assertProblem(HttpResponse<byte[]> response, int status, String type) throws Exception {
    assertEquals(status, response.statusCode(), () -> text(response));
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    var problem = json(response);
    assertEquals("urn:hpcfaas:problem:" + type, problem.get("type").asText(), problem::toString);
    assertEquals(status, problem.get("status").asInt());
    assertTrue(problem.hasNonNull("title") && problem.hasNonNull("detail"), problem::toString);
  }

  private static void assertEchoStillServes() throws Exception {
    var r = node.invoke("echo", "still here");
    assertEquals(200, r.statusCode());
    assertEquals("still here", text(r));
  }

  @Test
  void invokeReturnsOutputWithInvocationHeaders() throws Exception {
    var r = node.invoke("echo", "hello hpc");
    assertEquals(200, r.statusCode());
    assertEquals("hello hpc", text(r));
    assertTrue(r.headers().firstValue("Hpcfaas-Invocation-Id").orElseThrow().matches("[0-9a-f-]{36}"));
    assertTrue(r.headers().firstValue("Hpcfaas-Node").orElseThrow().startsWith("pekko://hpcfaas@127.0.0.1:"));
    assertTrue(Long.parseLong(r.headers().firstValue("Hpcfaas-Duration-Ms").orElseThrow()) >= 0);
  }

  @Test
  void queryParametersBecomeTheEnvironment() throws Exception {
    assertEquals(201, node.deploy("env", TestModules.testFunction("env"), "").statusCode());
    var r = node.invoke("env", new byte[0], "alpha=1&beta=two%20words");
    var env = text(r);
    assertTrue(env.contains("alpha=1\n") && env.contains("beta=two words\n") && env.contains("HPCFAAS_FUNCTION=env\n"), env);
  }

  @Test
  void deployDescribeRedeployListAndDelete() throws Exception {
    var module = TestModules.example("upper");
    var first = node.deploy("shout", module, "memoryMb=16&timeoutMs=2000&concurrency=2");
    assertEquals(201, first.statusCode(), () -> text(first));
    var spec = json(first);
    assertEquals("shout", spec.get("name").asText());
    assertEquals(1, spec.get("version").asLong());
    assertEquals(module.length, spec.get("size").asLong());
    assertEquals(64, spec.get("sha256").asText().length());
    assertEquals(16, spec.at("/limits/memoryMb").asInt());
    assertEquals(2000, spec.at("/limits/timeoutMs").asLong());
    assertEquals(2, spec.at("/limits/concurrency").asInt());
    assertTrue(spec.get("created").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), spec.toString());

    var again = node.deploy("shout", module, "");
    assertEquals(200, again.statusCode());
    assertEquals(2, json(again).get("version").asLong());
    assertEquals(2, json(node.get("/v1/functions/shout")).get("version").asLong());
    assertEquals("LOUD", text(node.invoke("shout", "loud")));

    var names = new ArrayList<String>();
    json(node.get("/v1/functions")).forEach(f -> names.add(f.get("name").asText()));
    assertTrue(names.contains("shout") && names.contains("echo"), names.toString());

    assertEquals(204, node.delete("/v1/functions/shout").statusCode());
    assertProblem(node.get("/v1/functions/shout"), 404, "function-not-found");
    assertProblem(node.invoke("shout", "x"), 404, "function-not-found");
    assertProblem(node.delete("/v1/functions/shout"), 404, "function-not-found");
  }

  @Test
  void unknownFunctionAndPathAreProblems() throws Exception {
    assertProblem(node.invoke("nope", "x"), 404, "function-not-found");
    assertProblem(node.get("/v2/whatever"), 404, "not-found");
  }

  @Test
  void badDeploysAre400AndChangeNothing() throws Exception {
    var echo = TestModules.example("echo");
    assertProblem(node.deploy("Bad.Name", echo, ""), 400, "invalid-name");
    assertProblem(node.deploy("garbage", "this is not wasm".getBytes(), ""), 400, "invalid-module");
    assertProblem(node.deploy("truncated", Arrays.copyOf(echo, echo.length - 100), ""), 400, "invalid-module");
    assertProblem(node.deploy("empty", new byte[0], ""), 400, "invalid-module");
    assertProblem(node.deploy("bigmem", TestModules.emptyCommand(100), "memoryMb=1"), 400, "invalid-module");
    assertProblem(node.deploy("limits", echo, "memoryMb=0"), 400, "invalid-limits");
    assertProblem(node.deploy("limits", echo, "timeoutMs=soon"), 400, "invalid-limits");
    assertProblem(node.deploy("limits", echo, "concurrency=100000"), 400, "invalid-limits");
    var corrupt = echo.clone();
    for (int i = 40; i < corrupt.length; i += 7) {
      corrupt[i] ^= 0x5a;
    }
    assertProblem(node.deploy("corrupt", corrupt, ""), 400, "invalid-module");
    for (var name : new String[] {"garbage", "truncated", "empty", "bigmem", "limits", "corrupt"}) {
      assertEquals(404, node.get("/v1/functions/" + name).statusCode());
    }
    var oversized = node.deploy("echo", echo, "memoryMb=0");
    assertEquals(400, oversized.statusCode());
    assertEchoStillServes();
  }

  @Test
  void failingFunctionsGetTheirProblemAndTheNodeServesOn() throws Exception {
    var fn = new String[] {"loop", "membomb", "trap", "fail", "spew"};
    for (var name : fn) {
      var timeout = name.equals("loop") ? 1000 : 20_000;
      assertEquals(201, node.deploy(name, TestModules.testFunction(name), "memoryMb=16&timeoutMs=" + timeout).statusCode());
    }
    assertProblem(node.invoke("loop", ""), 504, "function-timeout");
    assertProblem(node.invoke("membomb", ""), 500, "function-memory-limit");
    var trap = node.invoke("trap", "");
    assertProblem(trap, 500, "function-trap");
    assertTrue(json(trap).get("trap").asText().contains("unreachable"));
    assertEquals("about to trap\n", json(trap).get("stderr").asText());
    var fail = node.invoke("fail", "");
    assertProblem(fail, 500, "function-exit");
    assertEquals(7, json(fail).get("exitCode").asInt());
    assertEquals(fail.headers().firstValue("Hpcfaas-Invocation-Id").orElseThrow(), json(fail).get("invocationId").asText());
    assertProblem(node.invoke("spew", ""), 500, "function-output-too-large");
    assertEchoStillServes();
  }

  @Test
  void bulkInputAboveTheLimitIs413() throws Exception {
    assertProblem(node.invoke("echo", new byte[(1 << 20) + 1], "transfer=bulk"), 413, "input-too-large");
    var chunked = node.send(HttpRequest.newBuilder(URI.create(node.url + "/v1/functions/echo/invoke?transfer=bulk"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[(1 << 20) + 10]))));
    assertProblem(chunked, 413, "input-too-large");
    assertEquals(256 << 10, node.invoke("echo", new byte[256 << 10], "transfer=bulk").body().length, "up to the output limit");
  }

  @Test
  void largeInputIsStreamedWithoutTheBulkLimits() throws Exception {
    var input = new byte[3 << 20];
    new java.util.Random(7).nextBytes(input);
    var r = node.invoke("echo", input, "");
    assertEquals(200, r.statusCode());
    assertTrue(Arrays.equals(input, r.body()), "3 MiB through echo, above both the bulk input and output limits");
  }

  @Test
  void unknownTransferIs400() throws Exception {
    assertProblem(node.invoke("echo", new byte[1], "transfer=pigeon"), 400, "invalid-request");
  }

  @Test
  void callsBeyondConcurrencyAndQueueAre429() throws Exception {
    assertEquals(201, node.deploy("slow", TestModules.testFunction("loop"), "timeoutMs=1500&concurrency=1").statusCode());
    var calls = new ArrayList<CompletableFuture<HttpResponse<byte[]>>>();
    for (int i = 0; i < 3; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> {
        try {
          return node.invoke("slow", "");
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    var statuses = new ArrayList<Integer>();
    for (var c : calls) {
      statuses.add(c.get().statusCode());
    }
    statuses.sort(Integer::compare);
    // one runs, one waits in the queue of 1 (both end at the time limit), the third is turned away
    assertEquals(java.util.List.of(429, 504, 504), statuses);
  }

  @Test
  void metricsCountInvocationsByFunctionAndOutcome() throws Exception {
    assertEquals(201, node.deploy("counted", TestModules.example("upper"), "").statusCode());
    for (int i = 0; i < 3; i++) {
      assertEquals(200, node.invoke("counted", "abc").statusCode());
    }
    var metrics = text(node.get("/metrics"));
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hpcfaas_invocations_total{") && l.contains("function=\"counted\"")
        && l.contains("outcome=\"Succeeded\"") && l.endsWith(" 3.0")), metrics);
    assertTrue(metrics.contains("hpcfaas_invocation_duration_seconds_bucket{"), "duration histogram");
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hpcfaas_input_bytes_total{") && l.contains("counted")
        && l.endsWith(" 9.0")), "3 calls of 3 bytes");
    assertTrue(metrics.contains("hpcfaas_wasm_threads{") && metrics.contains("jvm_memory_used_bytes{"));
    assertTrue(metrics.contains("hpcfaas_cluster_members{") && metrics.contains("status=\"Up\""));
  }

  @Test
  void everyInvocationCanBeLookedUpWithItsStderr() throws Exception {
    assertEquals(201, node.deploy("logged", TestModules.testFunction("fail"), "").statusCode());
    var failed = node.invoke("logged", "x");
    var id = failed.headers().firstValue("Hpcfaas-Invocation-Id").orElseThrow();
    var record = json(node.get("/v1/invocations/" + id));
    assertEquals("failed", record.get("status").asText());
    assertEquals(7, record.get("exitCode").asInt());
    assertEquals("something went wrong: bad input\n", record.get("stderr").asText());
    var logs = json(node.get("/v1/functions/logged/logs"));
    assertEquals(id, logs.get(logs.size() - 1).get("id").asText());
    var text = text(node.get("/v1/functions/logged/logs?format=text"));
    assertTrue(text.contains(id) && text.contains("  | something went wrong: bad input"), text);
  }

  @Test
  void healthAndClusterDescribeTheNode() throws Exception {
    var health = json(node.get("/health"));
    assertEquals("UP", health.get("status").asText());
    assertTrue(health.get("optimizing").asBoolean(), health::toString);
    var cluster = json(node.get("/v1/cluster"));
    assertEquals("cluster", cluster.get("mode").asText());
    assertEquals(1, cluster.get("members").size());
    assertEquals("Up", cluster.at("/members/0/status").asText());
    assertTrue(cluster.at("/members/0/wasmSlots").asInt() >= 1, cluster::toString);
    assertEquals("cluster", cluster.at("/members/0/mode").asText());
    assertEquals("[\"gateway\",\"worker\"]", cluster.at("/members/0/roles").toString());
  }
}
