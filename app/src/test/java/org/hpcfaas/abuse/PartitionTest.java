package org.hpcfaas.abuse;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.remote.RARP;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three cluster members in one JVM; node 3 is cut off from nodes 1 and 2 by a network partition while clients
 * call functions through nodes 1 and 2. The Split Brain Resolver (keep-majority) must down node 3, calls through
 * nodes 1 and 2 go on (those caught by the partition fail as retriable 503s), and no deployed function is lost,
 * not even one deployed during the partition.
 *
 * <p>How the partition is made: Artery's own failure injector. With {@code pekko.remote.artery.advanced.test-mode
 * = on} every Artery stream passes through a test stage, and {@code RARP(system).provider.transport
 * .managementCommand(SetThrottle(address, Direction.Both, Blackhole))} makes that stage drop every message to and
 * from {@code address}. Each side blackholes the other, so the partition is symmetric; the TCP connections stay
 * open, as in a real partition where packets are lost (not a crash: node 3 keeps running until it downs itself).
 */
class PartitionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIG = """
      pekko.remote.artery.advanced.test-mode = on
      hpcfaas.wasm.threads = 1
      """;
  private static final Map<String, String[]> FUNCTIONS = new LinkedHashMap<>();

  static {
    // name -> {module, input, expected output}
    FUNCTIONS.put("echo", new String[] {"echo", "partition", "partition"});
    FUNCTIONS.put("upper", new String[] {"upper", "partition", "PARTITION"});
    FUNCTIONS.put("sha256", new String[] {"sha256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"});
    FUNCTIONS.put("wordcount", new String[] {"wordcount", "one two three", null});
  }

  @TempDir
  Path data;

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private static void await(Duration limit, String what, Callable<Boolean> condition) throws Exception {
    Await.until(limit, what, condition);
  }

  private static boolean quietly(Callable<Boolean> condition) {
    return Await.quietly(condition);
  }

  /** Drops everything between {@code a} and {@code b}, both ways, at both ends. */
  private static void partition(TestNode a, TestNode b) throws Exception {
    blackhole(a, b);
    blackhole(b, a);
  }

  private static void blackhole(TestNode at, TestNode peer) throws Exception {
    var rarp = (RARP) RARP.get(at.node.system().classicSystem());
    // Scala objects nested in objects; javac cannot name Direction.Both, so it is looked up as the module it is
    var both = (ThrottlerTransportAdapter.Direction) Class
        .forName("org.apache.pekko.remote.transport.ThrottlerTransportAdapter$Direction$Both$").getField("MODULE$").get(null);
    var done = rarp.provider().transport().managementCommand(new ThrottlerTransportAdapter.SetThrottle(
        peer.node.system().address(), both, ThrottlerTransportAdapter.Blackhole$.MODULE$));
    scala.concurrent.Await.result(done, scala.concurrent.duration.Duration.create(5, TimeUnit.SECONDS));
  }

  private HttpResponse<byte[]> invoke(TestNode gateway, String name, String input) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.url + "/v1/functions/" + name + "/invoke"))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(input))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** "ok", or what the failure was: status, problem type, and whether it was marked retriable. */
  private static String classify(HttpResponse<byte[]> r, String expected) {
    if (r.statusCode() == 200) {
      return expected == null || expected.equals(new String(r.body(), StandardCharsets.UTF_8)) ? "ok" : "200 wrong output";
    }
    try {
      var problem = JSON.readTree(r.body());
      var type = problem.path("type").asText();
      return r.statusCode() + " " + type.substring(type.lastIndexOf(':') + 1)
          + (problem.path("retriable").asBoolean() ? " retriable" : "");
    } catch (Exception e) {
      return r.statusCode() + " (no problem body)";
    }
  }

  private static List<String> names(TestNode node) throws Exception {
    var names = new ArrayList<String>();
    json(node.get("/v1/functions")).forEach(f -> names.add(f.get("name").asText()));
    return names;
  }

  @Test
  void theSplitBrainResolverDownsAPartitionedNodeCallsGoOnAndNoFunctionIsLost() throws Exception {
    var nodes = TestNode.startCluster(data, 3, CONFIG);
    var n1 = nodes.get(0);
    var pool = Executors.newFixedThreadPool(4);
    var stop = new AtomicBoolean();
    try {
      var n2 = nodes.get(1);
      var n3 = nodes.get(2);

      var deployed = new TreeSet<String>();
      for (var f : FUNCTIONS.entrySet()) {
        var r = n1.deploy(f.getKey(), TestModules.example(f.getValue()[0]), "concurrency=4");
        assertEquals(201, r.statusCode(), () -> text(r));
        deployed.add(f.getKey());
      }
      await(Duration.ofSeconds(20), "every function on every node", () -> nodes.stream()
          .allMatch(n -> quietly(() -> names(n).containsAll(deployed))));

      // clients call through nodes 1 and 2, before, during and after the partition; a call is counted in the phase
      // it started in (so a call begun just before the cut and caught by it counts as "before")
      Map<String, Map<String, Integer>> results = new ConcurrentHashMap<>();
      var phase = new java.util.concurrent.atomic.AtomicReference<>("before");
      var clients = new ArrayList<Future<?>>();
      var names = List.copyOf(FUNCTIONS.keySet());
      for (int c = 0; c < 4; c++) {
        var gateway = c % 2 == 0 ? n1 : n2;
        int offset = c;
        clients.add(pool.submit(() -> {
          int i = offset;
          while (!stop.get()) {
            var name = names.get(i++ % names.size());
            var f = FUNCTIONS.get(name);
            String result;
            var p = phase.get();
            try {
              result = classify(invoke(gateway, name, f[1]), f[2]);
            } catch (Exception e) {
              result = e.getClass().getSimpleName();
            }
            results.computeIfAbsent(p, x -> new ConcurrentHashMap<>()).merge(result, 1, Integer::sum);
          }
          return null;
        }));
      }
      await(Duration.ofSeconds(30), "calls before the partition", () ->
          results.getOrDefault("before", Map.of()).values().stream().mapToInt(Integer::intValue).sum() >= 40);

      // the partition: node 3 on one side, nodes 1 and 2 on the other
      long cut = System.nanoTime();
      phase.set("during");
      partition(n3, n1);
      partition(n3, n2);

      // a deploy during the partition: acknowledged only when durable on a majority (nodes 1 and 2)
      var during = n1.deploy("during", TestModules.example("upper"), "");
      System.out.println("PartitionTest deploy during the partition: " + during.statusCode() + " " + text(during));
      if (during.statusCode() == 201) {
        deployed.add("during");
      } else {
        assertEquals(503, during.statusCode(), () -> text(during));
        assertTrue(json(during).path("retriable").asBoolean(), () -> text(during));
      }

      var n3Address = n3.node.system().address().toString();
      await(Duration.ofSeconds(60), "node 3 downed and removed, as nodes 1 and 2 see it", () -> List.of(n1, n2).stream()
          .allMatch(n -> quietly(() -> {
            var members = new ArrayList<String>();
            json(n.get("/v1/cluster")).get("members").forEach(m -> members.add(m.get("address").asText()));
            return members.size() == 2 && !members.contains(n3Address);
          })));
      long removedMs = (System.nanoTime() - cut) / 1_000_000;
      // node 3, the minority, downed itself too: its actor system stops
      boolean n3Stopped = quietly(() -> {
        n3.node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return true;
      });
      long n3StoppedMs = (System.nanoTime() - cut) / 1_000_000;

      phase.set("after");
      await(Duration.ofSeconds(30), "calls after node 3 was removed", () ->
          results.getOrDefault("after", Map.of()).values().stream().mapToInt(Integer::intValue).sum() >= 40);
      stop.set(true);
      for (var c : clients) {
        c.get(90, TimeUnit.SECONDS);
      }

      // nothing lost: every acknowledged deploy is listed, and runs, on nodes 1 and 2
      int lost = 0;
      for (var n : List.of(n1, n2)) {
        var listed = names(n);
        for (var name : deployed) {
          if (!listed.contains(name)) {
            lost++;
          }
        }
      }
      for (var name : deployed) {
        for (var n : List.of(n1, n2)) {
          var f = FUNCTIONS.getOrDefault(name, new String[] {"upper", "still", "STILL"});
          assertEquals("ok", classify(invoke(n, name, f[1]), f[2]), () -> name + " runs after the partition");
        }
      }

      var failed = new TreeMap<String, Integer>();
      int calls = 0;
      for (var p : results.values()) {
        for (var e : p.entrySet()) {
          calls += e.getValue();
          if (!e.getKey().equals("ok")) {
            failed.merge(e.getKey(), e.getValue(), Integer::sum);
          }
        }
      }
      int failedCount = failed.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf("PartitionTest partition injected with Artery test-mode blackhole; node 3 removed %d ms after the"
              + " cut, node 3 stopped itself: %s (%d ms); calls=%d failed=%d %s by phase %s; deployments=%d lost=%d%n",
          removedMs, n3Stopped, n3StoppedMs, calls, failedCount, failed, new TreeMap<>(results), deployed.size(), lost);

      assertEquals(0, lost, "no acknowledged deployment is lost");
      assertTrue(n3Stopped, "node 3 (the minority) downed itself and stopped");
      assertTrue(failed.keySet().stream().allMatch(k -> k.startsWith("503 ") && k.endsWith(" retriable")),
          () -> "calls fail only as retriable 503s: " + failed);
      assertEquals(Map.of(), results.getOrDefault("after", Map.of()).entrySet().stream()
          .filter(e -> !e.getKey().equals("ok")).collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
          "no failures once node 3 is gone");
    } finally {
      stop.set(true);
      pool.shutdownNow();
      nodes.forEach(TestNode::close);
    }
  }
}
