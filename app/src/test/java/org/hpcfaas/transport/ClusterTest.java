package org.hpcfaas.transport;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Three real cluster members in one JVM, joined through seeds, in each mode. */
class ClusterTest {
  @TempDir
  Path data;

  private List<TestNode> startCluster(String mode) throws Exception {
    return startCluster(mode, "");
  }

  private List<TestNode> startCluster(String mode, String extra) throws Exception {
    return new ArrayList<>(TestNode.startCluster(data, 3,
        "hpcfaas.mode = " + mode + "\nhpcfaas.wasm.threads = 2\n" + extra));
  }

  private static void await(Duration limit, Callable<Boolean> condition) throws Exception {
    Await.until(limit, "condition", condition);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cluster", "http"})
  void deployThroughOneGatewayInvokeThroughOthersSpreadOverAllWorkersSurviveALostNode(String mode) throws Exception {
    var nodes = startCluster(mode);
    try {
      var n1 = nodes.get(0);
      var n2 = nodes.get(1);
      var n3 = nodes.get(2);
      assertEquals(201, n1.deploy("sha256", TestModules.example("sha256"), "concurrency=8").statusCode());
      assertEquals(201, n1.deploy("echo", TestModules.example("echo"), "idempotent=true").statusCode());
      await(Duration.ofSeconds(5), () -> n2.get("/v1/functions/sha256").statusCode() == 200
          && n3.get("/v1/functions/echo").statusCode() == 200);
      assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", text(n3.invoke("sha256", "abc")));

      // many concurrent calls of one function through one gateway run on every worker
      var pool = Executors.newFixedThreadPool(24);
      var calls = new ArrayList<java.util.concurrent.Future<String>>();
      for (int i = 0; i < 120; i++) {
        calls.add(pool.submit(() -> {
          var r = n2.invoke("sha256", "spread me".repeat(5000));
          assertEquals(200, r.statusCode(), () -> text(r));
          return r.headers().firstValue("Hpcfaas-Node").orElseThrow();
        }));
      }
      Map<String, Integer> perNode = new HashMap<>();
      for (var c : calls) {
        perNode.merge(c.get(), 1, Integer::sum);
      }
      assertEquals(3, perNode.size(), "every worker ran some calls: " + perNode);

      // large inputs and outputs cross nodes (bulk and streamed)
      var big = new byte[5 << 20];
      new Random(1).nextBytes(big);
      for (var gateway : List.of(n2, n3)) {
        var r = gateway.invoke("echo", big, "");
        assertEquals(200, r.statusCode());
        assertArrayEquals(big, r.body());
      }
      var bulk = n3.invoke("echo", java.util.Arrays.copyOf(big, 900_000), "transfer=bulk");
      assertArrayEquals(java.util.Arrays.copyOf(big, 900_000), bulk.body());

      // a node leaves: no function is lost, calls go on through the others
      n3.close();
      nodes.remove(n3);
      await(Duration.ofSeconds(30), () -> json(n1.get("/health")).get("workersReachable").asInt() == 2);
      for (int i = 0; i < 10; i++) {
        assertEquals("still", text(n2.invoke("echo", "still")));
      }
      assertEquals(2, json(n1.get("/v1/functions")).size());
      pool.shutdownNow();
    } finally {
      nodes.forEach(TestNode::close);
    }
  }

  @org.junit.jupiter.api.Test
  void tokensAndNamespacedFunctionsReachEveryNode() throws Exception {
    var nodes = startCluster("cluster", "hpcfaas.auth.enabled = on\n");
    try {
      var n1 = nodes.get(0);
      var n3 = nodes.get(2);
      var admin = java.nio.file.Files.readString(data.resolve("n1").resolve("admin.token")).trim();
      var issued = n1.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(n1.url + "/v1/tokens"))
          .header("Authorization", "Bearer " + admin)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"tenant\":\"t\",\"grants\":{\"lab\":[\"deploy\",\"invoke\"]}}")));
      assertEquals(201, issued.statusCode(), () -> text(issued));
      var token = json(issued).get("token").asText();
      var deployed = n1.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(n1.url + "/v1/namespaces/lab/functions/upper"))
          .header("Authorization", "Bearer " + token)
          .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(TestModules.example("upper"))));
      assertEquals(201, deployed.statusCode(), () -> text(deployed));
      await(Duration.ofSeconds(10), () -> {
        var r = n3.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(n3.url + "/v1/namespaces/lab/functions/upper/invoke"))
            .header("Authorization", "Bearer " + token)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("replicated")));
        return r.statusCode() == 200 && text(r).equals("REPLICATED");
      });
    } finally {
      nodes.forEach(TestNode::close);
    }
  }
}
