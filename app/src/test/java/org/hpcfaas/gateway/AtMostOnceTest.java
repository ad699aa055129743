package org.hpcfaas.gateway;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Workers stopped in the middle of calls: a function not deployed as idempotent never runs twice for one call. */
class AtMostOnceTest {
  @TempDir
  Path data;

  @ParameterizedTest
  @ValueSource(strings = {"cluster", "http"})
  void aFunctionNotIdempotentRunsAtMostOncePerCallWhenWorkersStopMidCall(String mode) throws Exception {
    var volume = Files.createDirectories(data.resolve("count"));
    var nodes = new ArrayList<>(TestNode.startCluster(data, 3, "hpcfaas.mode = " + mode + "\nhpcfaas.wasm.threads = 2\n"
        + "hpcfaas.volumes.count { path = \"" + volume.toString().replace("\\", "/") + "\" }\n"));
    var pool = Executors.newFixedThreadPool(12);
    try {
      var gateway = nodes.get(0);
      assertEquals(201, gateway.deploy("runcount", TestModules.testFunction("runcount"),
          "mount=count:/count&timeoutMs=60000&concurrency=8").statusCode());
      Await.until(Duration.ofSeconds(20), "runcount everywhere", () -> nodes.stream()
          .allMatch(n -> Await.quietly(() -> n.get("/v1/functions/runcount").statusCode() == 200)));

      var runs = volume.resolve("runs");
      var calls = new ArrayList<CompletableFuture<Integer>>();
      int count = 12;
      for (int i = 0; i < count; i++) {
        var input = ("call-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        calls.add(CompletableFuture.supplyAsync(() -> {
          try {
            // each call outlasts the 10 s a stopping node gives its HTTP requests to finish, so that stopping
            // two workers surely cuts calls off in both modes
            return gateway.invoke("runcount", input, "arg=12000&transfer=bulk").statusCode();
          } catch (Exception e) {
            return -1;
          }
        }, pool));
      }
      // stop the two other workers while their calls run
      Await.until(Duration.ofSeconds(30), "calls running", () -> Files.exists(runs) && Files.readAllLines(runs).size() >= 6);
      nodes.remove(2).close();
      nodes.remove(1).close();
      Map<Integer, Integer> statuses = new TreeMap<>();
      for (var c : calls) {
        statuses.merge(c.get(), 1, Integer::sum);
      }
      Map<String, Integer> perCall = new TreeMap<>();
      for (var line : Files.readAllLines(runs)) {
        perCall.merge(line, 1, Integer::sum);
      }
      System.out.println("AtMostOnceTest mode=" + mode + " statuses=" + statuses + " runs=" + perCall);
      perCall.forEach((call, n) -> assertEquals(1, n, call + " ran " + n + " times (" + mode + " mode)"));
      assertTrue(statuses.keySet().stream().anyMatch(s -> s != 200), "some calls lost their worker: " + statuses);
      assertEquals("ran\n", text(gateway.invoke("runcount", "after".getBytes(), "")), "the gateway serves on");
    } finally {
      pool.shutdownNow();
      nodes.forEach(TestNode::close);
    }
  }
}
