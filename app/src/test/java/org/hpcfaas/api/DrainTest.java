package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node whose allocation ends (SLURM_JOB_END_TIME, hpcfaas.drain.end-time) takes no call that could outlast it. */
class DrainTest {
  @TempDir
  static Path data;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    long endsInTenMinutes = System.currentTimeMillis() / 1000 + 600;
    node = TestNode.start(data, "hpcfaas.drain.end-time = " + endsInTenMinutes + "\nhpcfaas.drain.margin = 60s\n");
    assertEquals(201, node.deploy("short", TestModules.example("echo"), "timeoutMs=5000").statusCode());
    assertEquals(201, node.deploy("long", TestModules.example("echo"), "timeoutMs=900000").statusCode());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aCallThatEndsBeforeTheAllocationRuns() throws Exception {
    var r = node.invoke("short", "in time");
    assertEquals(200, r.statusCode(), () -> text(r));
    assertEquals("in time", text(r));
  }

  @Test
  void aCallWhoseTimeLimitOutlastsTheAllocationIsRefusedUnrun() throws Exception {
    var r = node.invoke("long", "too late");
    assertEquals(503, r.statusCode(), () -> text(r));
    var problem = json(r);
    assertEquals("urn:hpcfaas:problem:no-worker", problem.get("type").asText());
    assertTrue(problem.get("detail").asText().contains("drains"), problem::toString);
    assertEquals(0, json(node.get("/v1/functions/long/logs")).size(), "the call never ran");
  }

  @Test
  void theClusterViewTellsWhenTheNodeDrains() throws Exception {
    var member = json(node.get("/v1/cluster")).get("members").get(0);
    assertTrue(member.get("drainsAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), member::toString);
  }
}
