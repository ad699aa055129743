package org.hpcfaas.registry;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per function name, and a change takes effect only once a majority stored it. */
class RegistryConsistencyTest {
  @TempDir
  Path data;

  @Test
  void concurrentDeploysOfOneNameThroughThreeGatewaysLeaveEveryNodeServingOneModulePerVersion() throws Exception {
    var nodes = TestNode.startCluster(data, 3, "hpcfaas.wasm.threads = 2\n");
    var pool = Executors.newFixedThreadPool(3);
    try {
      var modules = List.of(TestModules.example("echo"), TestModules.example("upper"), TestModules.example("sha256"));
      Map<Long, String> moduleOfVersion = new HashMap<>();
      for (int round = 0; round < 4; round++) {
        var deploys = new ArrayList<CompletableFuture<String>>();
        for (int i = 0; i < 3; i++) {
          var gateway = nodes.get(i);
          var module = modules.get((i + round) % 3);
          deploys.add(CompletableFuture.supplyAsync(() -> {
            try {
              var r = gateway.deploy("race", module, "");
              assertTrue(r.statusCode() == 200 || r.statusCode() == 201, () -> r.statusCode() + " " + text(r));
              return text(r);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }, pool));
        }
        for (var d : deploys) {
          var spec = new com.fasterxml.jackson.databind.ObjectMapper().readTree(d.get());
          var earlier = moduleOfVersion.putIfAbsent(spec.get("version").asLong(), spec.get("sha256").asText());
          assertTrue(earlier == null, "version " + spec.get("version") + " acknowledged for two deploys: " + earlier
              + " and " + spec.get("sha256").asText());
        }
      }
      assertEquals(12, moduleOfVersion.size(), "every deploy got its own version: " + moduleOfVersion);
      long last = moduleOfVersion.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
      Await.until(Duration.ofSeconds(20), "every node at v" + last, () -> nodes.stream().allMatch(n -> Await.quietly(
          () -> json(n.get("/v1/functions/race")).get("version").asLong() == last)));
      for (var n : nodes) {
        var spec = json(n.get("/v1/functions/race"));
        assertEquals(moduleOfVersion.get(last), spec.get("sha256").asText(), n.url + " serves another module under v" + last);
      }
    } finally {
      pool.shutdownNow();
      nodes.forEach(TestNode::close);
    }
  }

  @Test
  void aDeployNoMajorityStoredChangesNothingOnAnyNode() throws Exception {
    // nodes 2 and 3 refuse functions of more than 32 MiB: a deploy of 48 MiB through node 1 cannot be durable
    var n1 = TestNode.start(data.resolve("n1"), "hpcfaas.wasm.threads = 2\n");
    var nodes = new ArrayList<>(List.of(n1));
    try {
      var seed = "pekko.cluster.seed-nodes = [\"pekko://hpcfaas@" + n1.clusterAddress() + "\"]\n";
      for (int i = 2; i <= 3; i++) {
        nodes.add(TestNode.start(data.resolve("n" + i), "hpcfaas.wasm.threads = 2\nhpcfaas.limits.max-memory-mb = 32\n" + seed));
      }
      Await.until(Duration.ofSeconds(60), "3 workers everywhere", () -> nodes.stream()
          .allMatch(n -> Await.quietly(() -> json(n.get("/health")).get("workersReachable").asInt() == 3)));
      assertEquals(201, n1.deploy("keep", TestModules.example("echo"), "memoryMb=16").statusCode());
      Await.until(Duration.ofSeconds(20), "keep v1 everywhere", () -> nodes.stream()
          .allMatch(n -> Await.quietly(() -> n.get("/v1/functions/keep").statusCode() == 200)));

      var over = n1.deploy("keep", TestModules.example("upper"), "memoryMb=48");
      assertTrue(over.statusCode() >= 400, () -> "a deploy no peer stored was acknowledged: " + text(over));
      var fresh = n1.deploy("fresh", TestModules.example("upper"), "memoryMb=48");
      assertTrue(fresh.statusCode() >= 400, () -> "a deploy no peer stored was acknowledged: " + text(fresh));

      // gossip has had its chance to spread anything that was published
      Thread.sleep(3000);
      for (var n : nodes) {
        var keep = json(n.get("/v1/functions/keep"));
        assertEquals(1, keep.get("version").asLong(), n.url + ": " + keep);
        assertEquals(16, keep.get("limits").get("memoryMb").asInt(), n.url + ": " + keep);
        assertEquals("hello", text(n.invoke("keep", "hello")));
        assertEquals(404, n.get("/v1/functions/fresh").statusCode(), n.url + " serves a function never made durable");
      }
    } finally {
      nodes.forEach(TestNode::close);
    }
  }
}
