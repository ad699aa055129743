package org.hpcfaas.async;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import org.hpcfaas.testing.Await;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The records of asynchronous calls are answered by every gateway after the one that took them is gone. */
class AsyncRecordsSurviveTest {
  @TempDir
  Path data;

  private static String submit(TestNode gateway, String function, String input) throws Exception {
    var r = gateway.send(HttpRequest.newBuilder(URI.create(gateway.url + "/v1/functions/" + function + "/invocations"))
        .POST(HttpRequest.BodyPublishers.ofString(input)));
    assertEquals(202, r.statusCode(), () -> text(r));
    return json(r).get("id").asText();
  }

  @Test
  void finishedAndRunningRecordsAreAnsweredByOtherGatewaysAfterTheirGatewayDied() throws Exception {
    var nodes = new ArrayList<>(TestNode.startCluster(data, 3, "hpcfaas.wasm.threads = 2\n"));
    try {
      var n1 = nodes.get(0);
      var n3 = nodes.get(2);
      assertEquals(201, n1.deploy("echo", TestModules.example("echo"), "").statusCode());
      assertEquals(201, n1.deploy("loop", TestModules.testFunction("loop"), "timeoutMs=5000").statusCode());
      Await.until(Duration.ofSeconds(20), "functions on node 3", () -> n3.get("/v1/functions/loop").statusCode() == 200);

      var finished = submit(n3, "echo", "kept elsewhere");
      var running = submit(n3, "loop", "");
      Await.until(Duration.ofSeconds(30), "echo done as node 3 saw it",
          () -> json(n3.get("/v1/invocations/" + finished)).get("status").asText().equals("succeeded"));
      Await.until(Duration.ofSeconds(10), "the copy on node 1",
          () -> Await.quietly(() -> json(n1.get("/v1/invocations/" + finished)).get("status").asText().equals("succeeded")));

      nodes.remove(2).close();
      Await.until(Duration.ofSeconds(30), "node 3 gone", () -> json(n1.get("/health")).get("workersReachable").asInt() == 2);
      for (var gateway : nodes) {
        var record = gateway.get("/v1/invocations/" + finished);
        assertEquals(200, record.statusCode(), () -> text(record));
        assertEquals("succeeded", json(record).get("status").asText());
        var output = gateway.get("/v1/invocations/" + finished + "/output");
        assertEquals("kept elsewhere", text(output));
        // the running call's result went with its gateway: said so, not lost without a word nor running forever
        var lost = gateway.get("/v1/invocations/" + running);
        assertEquals(200, lost.statusCode(), () -> text(lost));
        assertEquals("failed", json(lost).get("status").asText(), () -> text(lost));
      }
    } finally {
      nodes.forEach(TestNode::close);
    }
  }
}
