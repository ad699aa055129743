package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Maps over a real two-node cluster: records in three formats, results as NDJSON, failures alone, async maps. */
class MapTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path data;
  static List<TestNode> nodes;
  static TestNode gateway;

  @BeforeAll
  static void start() throws Exception {
    nodes = TestNode.startCluster(data, 2, "hpcfaas.wasm.threads = 2\n");
    gateway = nodes.get(0);
    assertEquals(201, gateway.deploy("record", TestModules.testFunction("record"), "concurrency=4").statusCode());
    assertEquals(201, gateway.deploy("args", TestModules.testFunction("args"), "").statusCode());
    Await.until(Duration.ofSeconds(30), "both nodes know the functions", () -> nodes.stream().allMatch(n ->
        Await.quietly(() -> n.get("/v1/functions/record").statusCode() == 200 && n.get("/v1/functions/args").statusCode() == 200)));
  }

  @AfterAll
  static void stop() {
    nodes.reversed().forEach(TestNode::close);
  }

  private static HttpResponse<byte[]> map(String name, byte[] body, String query) throws Exception {
    return gateway.send(HttpRequest.newBuilder(URI.create(gateway.url + "/v1/functions/" + name + "/map"
        + (query.isEmpty() ? "" : "?" + query))).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private static List<JsonNode> lines(HttpResponse<byte[]> r) throws Exception {
    var out = new ArrayList<JsonNode>();
    for (var line : text(r).split("\n")) {
      if (!line.isEmpty()) {
        out.add(JSON.readTree(line));
      }
    }
    return out;
  }

  private static Map<Integer, JsonNode> byIndex(List<JsonNode> lines) {
    return lines.stream().collect(Collectors.toMap(l -> l.get("index").asInt(), l -> l, (a, b) -> a, TreeMap::new));
  }

  @Test
  void everyLineIsOneInvocationSpreadOverTheWorkers() throws Exception {
    var input = IntStream.range(0, 200).mapToObj(i -> "r" + i).collect(Collectors.joining("\n", "", "\n"));
    var r = map("record", input.getBytes(StandardCharsets.UTF_8), "concurrency=8");
    assertEquals(200, r.statusCode(), () -> text(r));
    assertEquals("application/x-ndjson", r.headers().firstValue("Content-Type").orElse(""));
    var results = byIndex(lines(r));
    assertEquals(200, results.size());
    for (int i = 0; i < 200; i++) {
      var line = results.get(i);
      assertEquals("succeeded", line.get("status").asText(), line::toString);
      assertEquals("r" + i + "!", line.get("output").asText());
      assertEquals(0, line.get("exitCode").asInt());
      assertTrue(line.get("durationMs").asLong() >= 0);
    }
    var used = results.values().stream().map(l -> l.get("node").asText()).collect(Collectors.toSet());
    assertEquals(2, used.size(), () -> "a map with more records in flight than one node's slots uses every worker: " + used);
  }

  @Test
  void aFailedRecordFailsAlone() throws Exception {
    var r = map("record", "a\nfail\nc".getBytes(StandardCharsets.UTF_8), "");
    assertEquals(200, r.statusCode(), () -> text(r));
    var results = byIndex(lines(r));
    assertEquals(3, results.size());
    assertEquals("a!", results.get(0).get("output").asText());
    assertEquals("c!", results.get(2).get("output").asText());
    var failed = results.get(1);
    assertEquals("failed", failed.get("status").asText());
    assertEquals(5, failed.get("exitCode").asInt());
    assertEquals("urn:hpcfaas:problem:function-exit", failed.at("/problem/type").asText());
    assertTrue(failed.at("/problem/stderr").asText().contains("record refused"), failed::toString);
  }

  @Test
  void orderedResultsComeInInputOrder() throws Exception {
    var input = IntStream.range(0, 60).mapToObj(i -> "o" + i).collect(Collectors.joining("\n"));
    var r = map("record", input.getBytes(StandardCharsets.UTF_8), "ordered=true&concurrency=6");
    var indices = lines(r).stream().map(l -> l.get("index").asInt()).toList();
    assertEquals(IntStream.range(0, 60).boxed().toList(), indices);
  }

  @Test
  void binaryRecordsAreLengthPrefixedAndMayHoldNewlinesAndNonText() throws Exception {
    var records = List.of("two\nlines".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[] {(byte) 0xff, 0, 10});
    var body = new ByteArrayOutputStream();
    for (var rec : records) {
      body.writeBytes(ByteBuffer.allocate(4).putInt(rec.length).array());
      body.writeBytes(rec);
    }
    var r = map("record", body.toByteArray(), "records=binary&ordered=true");
    assertEquals(200, r.statusCode(), () -> text(r));
    var results = lines(r);
    assertEquals(3, results.size());
    assertEquals("two\nlines!", results.get(0).get("output").asText());
    assertEquals("!", results.get(1).get("output").asText());
    assertEquals(Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0, 10, '!'}),
        results.get(2).get("outputBase64").asText());
  }

  @Test
  void ndjsonRecordsCarryTheirOwnStdinAndArgs() throws Exception {
    var b64 = Base64.getEncoder();
    var body = String.join("\n",
        "{\"stdin\": \"" + b64.encodeToString("x".getBytes()) + "\", \"args\": [\"one\", \"two words\"]}",
        "{\"args\": []}",
        "not json",
        "{\"stdin\": 5}");
    var r = map("args", body.getBytes(StandardCharsets.UTF_8), "records=ndjson&ordered=true&arg=fromquery");
    assertEquals(200, r.statusCode(), () -> text(r));
    var results = lines(r);
    assertEquals(4, results.size());
    assertEquals("3\n[args]\n[one]\n[two words]\n", results.get(0).get("output").asText());
    assertEquals("1\n[args]\n", results.get(1).get("output").asText(), "an empty args list passes none");
    for (int i : new int[] {2, 3}) {
      assertEquals("failed", results.get(i).get("status").asText());
      assertEquals("urn:hpcfaas:problem:invalid-request", results.get(i).at("/problem/type").asText());
    }
    var plain = lines(map("args", "{}".getBytes(), "records=ndjson&arg=fromquery"));
    assertEquals("2\n[args]\n[fromquery]\n", plain.get(0).get("output").asText(), "records without args get the map's");
  }

  @Test
  void mapParametersNeverReachTheGuest() throws Exception {
    assertEquals(201, gateway.deploy("env", TestModules.testFunction("env"), "").statusCode());
    Await.until(Duration.ofSeconds(30), "env known", () -> Await.quietly(() ->
        nodes.get(1).get("/v1/functions/env").statusCode() == 200));
    var out = lines(map("env", "x".getBytes(), "ordered=true&concurrency=2&records=lines&output=auto&mine=1"))
        .get(0).get("output").asText();
    assertTrue(out.contains("mine=1\n") && !out.contains("ordered") && !out.contains("concurrency")
        && !out.contains("records="), out);
  }

  @Test
  void badParametersAreRefusedBeforeAnyRecordRuns() throws Exception {
    for (var q : List.of("records=xml", "concurrency=0", "ordered=maybe", "output=hex")) {
      var r = map("record", "a".getBytes(), q);
      assertEquals(400, r.statusCode(), q);
      assertEquals("urn:hpcfaas:problem:invalid-request", json(r).get("type").asText());
    }
    assertEquals(404, map("nothere", "a".getBytes(), "").statusCode());
  }

  @Test
  void anAsyncMapAnswersAtOnceAndKeepsProgressAndResults() throws Exception {
    var input = IntStream.range(0, 40).mapToObj(i -> i == 7 ? "fail" : "a" + i).collect(Collectors.joining("\n"));
    var r = map("record", input.getBytes(StandardCharsets.UTF_8), "async=true");
    assertEquals(202, r.statusCode(), () -> text(r));
    var accepted = json(r);
    assertEquals(40, accepted.get("total").asInt());
    var location = r.headers().firstValue("Location").orElseThrow();
    assertEquals(accepted.get("location").asText(), location);
    Await.until(Duration.ofSeconds(60), "the map completed", () ->
        json(gateway.get(location)).get("status").asText().equals("completed"));
    var progress = json(gateway.get(location));
    assertEquals(40, progress.get("done").asInt());
    assertEquals(1, progress.get("failed").asInt());
    var results = gateway.get(location + "/results");
    assertEquals("application/x-ndjson", results.headers().firstValue("Content-Type").orElse(""));
    var all = lines(results);
    assertEquals(IntStream.range(0, 40).boxed().toList(), all.stream().map(l -> l.get("index").asInt()).toList());
    assertEquals("failed", all.get(7).get("status").asText());
    assertEquals("a39!", all.get(39).get("output").asText());
    var missing = gateway.get("/v1/maps/00000000-0000-0000-0000-000000000000");
    assertEquals(404, missing.statusCode());
    assertEquals("urn:hpcfaas:problem:map-not-found", json(missing).get("type").asText());
  }

  /**
   * Runs last (its cluster is its own): a node that leaves mid-map loses the records it was running; those
   * of an idempotent function run again on another worker, so every record succeeds.
   */
  @Test
  void recordsOfAnIdempotentFunctionLostWithTheirNodeRunAgainElsewhere(@TempDir Path own) throws Exception {
    var cluster = TestNode.startCluster(own, 3, "hpcfaas.wasm.threads = 1\n");
    try {
      var gateway = cluster.get(0);
      var leaving = cluster.get(2);
      assertEquals(201, gateway.deploy("spin", TestModules.testFunction("spin"), "idempotent=true&concurrency=2").statusCode());
      Await.until(Duration.ofSeconds(30), "spin everywhere", () -> cluster.stream().allMatch(n ->
          Await.quietly(() -> n.get("/v1/functions/spin").statusCode() == 200)));
      int total = 120;
      var input = IntStream.range(0, total).mapToObj(i -> "20").collect(Collectors.joining("\n"));
      var r = gateway.send(HttpRequest.newBuilder(URI.create(gateway.url + "/v1/functions/spin/map?async=true&concurrency=6"))
          .POST(HttpRequest.BodyPublishers.ofString(input)));
      assertEquals(202, r.statusCode(), () -> text(r));
      var location = r.headers().firstValue("Location").orElseThrow();
      var leavingAddress = "pekko://hpcfaas@" + leaving.clusterAddress();
      Await.until(Duration.ofSeconds(120), "a record ran on the node that will leave", () -> lines(gateway.get(location + "/results"))
          .stream().anyMatch(l -> l.path("node").asText().equals(leavingAddress)));
      long doneBefore = json(gateway.get(location)).get("done").asLong();
      leaving.node.system().terminate();
      org.junit.jupiter.api.Assumptions.assumeTrue(doneBefore < total, "the map ended before the node left");
      Await.until(Duration.ofSeconds(180), "the map completed", () ->
          json(gateway.get(location)).get("status").asText().equals("completed"));
      var progress = json(gateway.get(location));
      assertEquals(total, progress.get("done").asInt());
      assertEquals(0, progress.get("failed").asInt(), () -> "failed records: " + text(gatewayResults(gateway, location)));
      assertTrue(lines(gateway.get(location + "/results")).stream().allMatch(l -> l.get("output").asText().equals("spun 20")));
    } finally {
      cluster.reversed().forEach(n -> {
        try {
          n.close();
        } catch (RuntimeException e) {
          // the node that left is already stopped
        }
      });
    }
  }

  private static HttpResponse<byte[]> gatewayResults(TestNode gateway, String location) {
    try {
      return gateway.get(location + "/results");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
