package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result cache over a real two-node cluster: hits through any gateway, keys that tell calls apart, redeploys. */
class ResultCacheTest {
  @TempDir
  static Path data;
  static List<TestNode> nodes;

  @BeforeAll
  static void start() throws Exception {
    nodes = TestNode.startCluster(data, 2, "");
  }

  @AfterAll
  static void stop() {
    nodes.reversed().forEach(TestNode::close);
  }

  private static void deployEverywhere(String name, byte[] module, String query) throws Exception {
    var r = nodes.get(0).deploy(name, module, query);
    assertTrue(r.statusCode() == 200 || r.statusCode() == 201, () -> text(r));
    long version = json(r).get("version").asLong();
    Await.until(Duration.ofSeconds(30), name + " v" + version + " everywhere", () -> nodes.stream().allMatch(n ->
        Await.quietly(() -> json(n.get("/v1/functions/" + name)).get("version").asLong() == version)));
  }

  private static String cache(HttpResponse<byte[]> r) {
    return r.headers().firstValue("Hpcfaas-Cache").orElse("");
  }

  @Test
  void aSecondCallThroughAnyGatewayIsServedFromTheCacheWithoutRunning() throws Exception {
    deployEverywhere("count", TestModules.testFunction("counter"), "cache=true");
    var first = nodes.get(0).invoke("count", "x");
    assertEquals(200, first.statusCode(), () -> text(first));
    assertEquals("miss", cache(first));
    for (var gateway : nodes) {
      var again = gateway.invoke("count", "x");
      assertEquals(200, again.statusCode());
      assertEquals("hit", cache(again), "found through " + gateway.url);
      assertEquals(text(first), text(again), "the counter did not run again: its output is the first one");
    }
    var other = nodes.get(1).invoke("count", "y");
    assertEquals("miss", cache(other), "another stdin is another key");
    var withArgs = nodes.get(1).invoke("count", "x".getBytes(StandardCharsets.UTF_8), "mode=2");
    assertEquals("miss", cache(withArgs), "another environment is another key");
    var metrics = text(nodes.get(0).get("/metrics")) + text(nodes.get(1).get("/metrics"));
    assertTrue(metrics.contains("hpcfaas_cache_hits_total"), metrics);
    double hits = metrics.lines().filter(l -> l.startsWith("hpcfaas_cache_hits_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertEquals(2.0, hits);
  }

  @Test
  void aRedeployNeverServesTheOldVersionsOutput() throws Exception {
    deployEverywhere("shout", TestModules.example("upper"), "cache=true");
    assertEquals("HELLO", text(nodes.get(0).invoke("shout", "hello")));
    assertEquals("hit", cache(nodes.get(1).invoke("shout", "hello")));
    deployEverywhere("shout", TestModules.example("echo"), "cache=true");
    var afterNewModule = nodes.get(1).invoke("shout", "hello");
    assertEquals("hello", text(afterNewModule));
    assertEquals("miss", cache(afterNewModule));
    deployEverywhere("shout", TestModules.example("echo"), "cache=true");
    assertEquals("miss", cache(nodes.get(0).invoke("shout", "hello")), "even the same module again is a new version");
  }

  @Test
  void functionsDeployedWithoutCacheAreNotMarkedAndFailuresAreNotCached() throws Exception {
    deployEverywhere("plain", TestModules.testFunction("counter"), "");
    for (int i = 0; i < 2; i++) {
      var r = nodes.get(0).invoke("plain", "x");
      assertEquals(200, r.statusCode());
      assertEquals("", cache(r), "no cache header for a function deployed without ?cache=true");
    }
    deployEverywhere("failing", TestModules.testFunction("fail"), "cache=true");
    assertEquals(500, nodes.get(0).invoke("failing", "x").statusCode());
    var again = nodes.get(0).invoke("failing", "x");
    assertEquals(500, again.statusCode(), "a failure is never served from the cache");
  }
}
