package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Functions that call functions (hpcfaas.h) over a real two-node cluster whose nodes have one WASM thread
 * each: fan-outs far wider than the cluster's threads (in both modes), a chain past the depth limit, the
 * namespace rule.
 */
class FunctionCallsTest {
  @TempDir
  static Path data;
  static List<TestNode> nodes;
  static final String PHYSICS = "namespaces/physics/functions/";

  @BeforeAll
  static void start() throws Exception {
    nodes = TestNode.startCluster(data.resolve("cluster"), 2,
        "hpcfaas.wasm.threads = 1\nhpcfaas.limits.bulk-memory-budget = 32 MiB\n");
    deployTo(nodes, "sum", TestModules.example("sum"), "memoryMb=4");
    deployTo(nodes, "psum", TestModules.example("psum"), "memoryMb=4");
    deployTo(nodes, "caller", TestModules.testFunction("caller"), "memoryMb=4&concurrency=16&defaultArg=chain");
    deployTo(nodes, PHYSICS + "caller", TestModules.testFunction("caller"), "memoryMb=4");
    deployTo(nodes, PHYSICS + "sum", TestModules.example("sum"), "memoryMb=4");
  }

  @AfterAll
  static void stop() {
    nodes.reversed().forEach(TestNode::close);
  }

  /** {@code path}: a function's path under /v1/functions/, or under /v1/ for one of a namespace. */
  private static String url(String path) {
    return "/v1/" + (path.startsWith("namespaces/") ? path : "functions/" + path);
  }

  private static void deployTo(List<TestNode> nodes, String path, byte[] module, String query) throws Exception {
    var r = nodes.get(0).send(HttpRequest.newBuilder(URI.create(nodes.get(0).url + url(path) + "?" + query))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(module)));
    assertTrue(r.statusCode() == 200 || r.statusCode() == 201, () -> text(r));
    for (var n : nodes) {
      Await.until(Duration.ofSeconds(30), path + " on " + n.url, () -> Await.quietly(() -> n.get(url(path)).statusCode() == 200));
    }
  }

  private static HttpResponse<byte[]> invoke(TestNode node, String path, String input, String query) throws Exception {
    return node.send(HttpRequest.newBuilder(URI.create(node.url + url(path) + "/invoke?" + query))
        .POST(HttpRequest.BodyPublishers.ofString(input)));
  }

  @Test
  void fanOutsWiderThanEveryThreadOfTheClusterComplete() throws Exception {
    fanOuts(nodes);
  }

  @Test
  void fanOutsCompleteInHttpModeToo() throws Exception {
    var http = TestNode.startCluster(data.resolve("http"), 2, "hpcfaas.mode = http\nhpcfaas.wasm.threads = 1\n");
    try {
      deployTo(http, "sum", TestModules.example("sum"), "memoryMb=4");
      deployTo(http, "psum", TestModules.example("psum"), "memoryMb=4");
      fanOuts(http);
    } finally {
      http.reversed().forEach(TestNode::close);
    }
  }

  /** Two callers at once hold both threads of the cluster while their 2 x 64 children need them. */
  private static void fanOuts(List<TestNode> nodes) throws Exception {
    var numbers = LongStream.rangeClosed(1, 20_000).mapToObj(Long::toString).collect(Collectors.joining(" "));
    var calls = nodes.stream().map(n -> CompletableFuture.supplyAsync(() -> {
      try {
        return invoke(n, "psum", numbers, "arg=64");
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    })).toList();
    for (var call : calls) {
      var r = call.get(120, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), () -> text(r));
      assertEquals("200010000\n", text(r), "the waiting callers gave their threads up to their children");
    }
  }

  @Test
  void aChainStopsAtTheDepthLimitWithItsCode() throws Exception {
    assertEquals("done", text(invoke(nodes.get(0), "caller", "5", "")));
    assertEquals("code 3", text(invoke(nodes.get(0), "caller", "20", "")), "HPCFAAS_TOO_DEEP at max-call-depth 8");
  }

  @Test
  void aGuestThatSpawnsWithoutEndGetsTooManyAndTheNodeStaysWhole() throws Exception {
    var flood = text(invoke(nodes.get(0), PHYSICS + "caller", "", "arg=flood&arg=sum"));
    assertTrue(flood.startsWith("rc 8 after "), flood);
    assertTrue(Integer.parseInt(flood.substring("rc 8 after ".length())) < 100,
        () -> "stopped by the node's bulk budget of 32 MiB (1 MiB per child input): " + flood);
    assertEquals(200, nodes.get(0).get("/health").statusCode());
    assertEquals("rc 0 3\n", text(invoke(nodes.get(0), PHYSICS + "caller", "1 2", "arg=call&arg=sum")),
        "the budget came back when the flood ended");
  }

  @Test
  void aFunctionCallsOnlyFunctionsOfItsNamespace() throws Exception {
    var caller = PHYSICS + "caller";
    assertEquals("rc 0 3\n", text(invoke(nodes.get(0), caller, "1 2", "arg=call&arg=sum")), "sum is physics:sum");
    assertEquals("rc 1 no function nosuch in the namespace of physics:caller",
        text(invoke(nodes.get(0), caller, "", "arg=call&arg=nosuch")));
    assertTrue(text(invoke(nodes.get(0), caller, "", "arg=call&arg=other:sum")).startsWith("rc 1 "),
        "another namespace's function is not reachable");
    assertEquals("rc 5", text(invoke(nodes.get(1), caller, "", "arg=wait")), "HPCFAAS_BAD_FUTURE for a future never started");
  }
}
