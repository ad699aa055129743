package org.hpcfaas;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every actor the Guardian supervises throws once, on both nodes of a cluster; each is restarted and the
 * node still answers, routes calls to every worker, replicates functions and tokens, finds records on other
 * nodes, and notices a node that leaves.
 */
class GuardianTest {
  private static final Set<String> SUPERVISED = Set.of("node-stats", "invocation-log", "async-invocations",
      "membership", "worker-ready", "registry-replicator", "token-replicator", "worker", "result-cache");

  @TempDir
  Path data;

  private static List<String> injectFault(TestNode node) throws Exception {
    var system = node.node.system();
    return AskPattern.<Guardian.Command, List<String>>ask(system, Guardian.InjectFault::new, Duration.ofSeconds(5),
        system.scheduler()).toCompletableFuture().get();
  }

  private static HttpRequest.Builder request(TestNode node, String token, String path) {
    return HttpRequest.newBuilder(URI.create(node.url + path)).header("Authorization", "Bearer " + token);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cluster", "http"})
  void everySupervisedActorThatThrowsIsRestartedAndTheNodeStillRoutesReplicatesAndAnswers(String mode) throws Exception {
    var nodes = new ArrayList<>(TestNode.startCluster(data, 2, "hpcfaas.mode = " + mode
        + "\nhpcfaas.auth.enabled = on\nhpcfaas.testing.fault-injection = on\nhpcfaas.wasm.threads = 1\n"));
    var pool = Executors.newFixedThreadPool(8);
    try {
      var n1 = nodes.get(0);
      var n2 = nodes.get(1);
      var admin = Files.readString(data.resolve("n1").resolve("admin.token")).trim();
      Await.until(Duration.ofSeconds(20), "the admin token on node 2", () ->
          n2.send(request(n2, admin, "/v1/functions").GET()).statusCode() == 200);

      for (var node : nodes) {
        var hit = new HashSet<>(injectFault(node));
        assertTrue(hit.containsAll(SUPERVISED), () -> "faults injected into " + hit);
      }

      // answers
      for (var node : nodes) {
        Await.until(Duration.ofSeconds(20), "healthy again", () -> node.get("/health").statusCode() == 200);
      }
      // replicates: a function deployed through node 2 runs through node 1; a token issued on node 1 works on node 2
      var deployed = n2.send(request(n2, admin, "/v1/functions/sha256?concurrency=8")
          .PUT(HttpRequest.BodyPublishers.ofByteArray(TestModules.example("sha256"))));
      assertEquals(201, deployed.statusCode(), () -> text(deployed));
      Await.until(Duration.ofSeconds(20), "the function on node 1", () -> text(n1.send(request(n1, admin,
          "/v1/functions/sha256/invoke").POST(HttpRequest.BodyPublishers.ofString("abc"))))
          .equals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"));
      var issued = n1.send(request(n1, admin, "/v1/tokens")
          .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"t\",\"grants\":{\"default\":[\"invoke\"]}}")));
      assertEquals(201, issued.statusCode(), () -> text(issued));
      var token = json(issued).get("token").asText();
      Await.until(Duration.ofSeconds(20), "the token on node 2", () ->
          n2.send(request(n2, token, "/v1/functions").GET()).statusCode() == 200);

      // routes: concurrent calls through one gateway run on both workers
      var calls = new ArrayList<Future<String>>();
      for (int i = 0; i < 60; i++) {
        calls.add(pool.submit(() -> {
          var r = n1.send(request(n1, token, "/v1/functions/sha256/invoke")
              .POST(HttpRequest.BodyPublishers.ofString("spread me".repeat(5000))));
          assertEquals(200, r.statusCode(), () -> text(r));
          return r.headers().firstValue("Hpcfaas-Node").orElseThrow();
        }));
      }
      var ranOn = new HashSet<String>();
      for (var c : calls) {
        ranOn.add(c.get());
      }
      assertEquals(2, ranOn.size(), () -> "calls ran on " + ranOn);

      // node stats, invocation logs and async records are found across the cluster
      var cluster = json(n1.send(request(n1, admin, "/v1/cluster").GET()));
      cluster.get("members").forEach(m -> assertTrue(m.has("wasmSlots"), m::toString));
      var logs = json(n2.send(request(n2, admin, "/v1/functions/sha256/logs").GET()));
      assertTrue(logs.size() >= 2, logs::toString);
      var submitted = n1.send(request(n1, admin, "/v1/functions/sha256/invocations")
          .POST(HttpRequest.BodyPublishers.ofString("abc")));
      assertEquals(202, submitted.statusCode(), () -> text(submitted));
      var id = json(submitted).get("id").asText();
      Await.until(Duration.ofSeconds(20), "the async record through node 2", () -> json(n2.send(request(n2, admin,
          "/v1/invocations/" + id).GET())).path("status").asText().equals("succeeded"));

      // membership: node 1 notices node 2 leave
      n2.close();
      nodes.remove(n2);
      Await.until(Duration.ofSeconds(30), "node 2 gone from node 1's workers", () ->
          json(n1.get("/health")).get("workersReachable").asInt() == 1);
    } finally {
      pool.shutdownNow();
      nodes.forEach(TestNode::close);
    }
  }
}
