package org.hpcfaas.security;

import static org.hpcfaas.testing.TestNode.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.hpcfaas.core.Payload;
import org.hpcfaas.registry.RegistryReplicator;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.Limits;
import org.hpcfaas.registry.RegistryEntry;
import org.hpcfaas.core.ModuleKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a peer sends is checked as a client's request is: a member of the cluster (here node 2, sending
 * replication messages made by hand, as a faulty or compromised node could) cannot make node 1 write outside
 * its data dir, store bytes under a hash they do not have, or take a function no client could deploy.
 */
class PeerInputTest {
  @TempDir
  Path data;

  private static void await(Duration limit, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + limit);
      }
      Thread.sleep(200);
    }
  }

  @Test
  void replicationMessagesWithTraversalNamesBadHashesOrSizesAreRefusedAndWriteNothing() throws Exception {
    try (var n1 = TestNode.start(data.resolve("n1"), "");
         var n2 = TestNode.start(data.resolve("n2"), "pekko.cluster.seed-nodes = [\"pekko://hpcfaas@" + n1.clusterAddress()
             + "\"]\n")) {
      await(Duration.ofSeconds(60), () -> json(n1.get("/health")).get("workersReachable").asInt() == 2);
      var system = n2.node.system();
      var materializer = Materializer.createMaterializer(system);
      Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
              replyTo -> Receptionist.find(RegistryReplicator.SERVICE, replyTo), Duration.ofSeconds(10), system.scheduler())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      ActorRef<RegistryReplicator.Command> target = listing.getServiceInstances(RegistryReplicator.SERVICE).stream()
          .filter(ref -> ref.path().address().equals(n1.node.system().address()))
          .findFirst().orElseThrow();

      var module = TestModules.example("echo");
      var sha = TestModules.sha256(module);
      var limits = new Limits(16, 1000, 1);
      var cases = new java.util.LinkedHashMap<String, RegistryEntry>();
      cases.put("traversal name ../x", entry("../x", sha, module.length, limits));
      cases.put("traversal name ../../../x", entry("../../../x", sha, module.length, limits));
      cases.put("absolute name /tmp/x", entry("/tmp/x", sha, module.length, limits));
      cases.put("traversal tombstone ../y", new RegistryEntry("../y", 2, null));
      cases.put("traversal sha256 ../../x", entry("fine", "../../x", module.length, limits));
      cases.put("sha256 of other bytes", entry("fine", "0".repeat(64), module.length, limits));
      cases.put("size above max-module-size", entry("fine", sha, 1L << 40, limits));
      cases.put("memory above max-memory-mb", entry("fine", sha, module.length, new Limits(1 << 20, 1000, 1)));
      cases.put("spec named otherwise than its entry", new RegistryEntry("fine", 1,
          new FunctionSpec("../z", 1, sha, module.length, ModuleKind.COMMAND, limits, false, "t", Instant.now(), null, null, null)));
      var answers = new java.util.LinkedHashMap<String, String>();
      for (var c : cases.entrySet()) {
        var payload = Payload.of(module, materializer);
        RegistryReplicator.Ack ack = AskPattern.<RegistryReplicator.Command, RegistryReplicator.Ack>ask(target,
                replyTo -> new RegistryReplicator.Replicate(c.getValue(), payload, replyTo), Duration.ofSeconds(10),
                system.scheduler())
            .toCompletableFuture().get(15, TimeUnit.SECONDS);
        answers.put(c.getKey(), ack.stored() ? "STORED" : ack.error());
        assertFalse(ack.stored(), c.getKey() + " was stored: " + ack);
      }
      answers.forEach((k, v) -> System.out.println("PeerInputTest " + k + ": " + v));

      // nothing was written outside node 1's data dir, nor any file for these entries inside it
      for (var name : List.of("x", "y", "z", "x.json", "y.json", "x.wasm")) {
        for (var dir : List.of(data, data.resolve("n1"), data.getParent(), data.resolve("n1/functions").getParent())) {
          assertFalse(Files.exists(dir.resolve(name)), dir.resolve(name) + " exists");
        }
      }
      assertFalse(Files.exists(Path.of("/tmp/x.json")), "/tmp/x.json exists");
      try (var files = Files.list(data.resolve("n1/functions"))) {
        assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(), "no function metadata was written");
      }
      try (var files = Files.list(data.resolve("n1/modules"))) {
        assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(), "no module was written");
      }
      assertEquals(0, json(n1.get("/v1/functions")).size());

      // the same path works for an entry a client could have made (the refusals are not blanket ones)
      var good = entry("fine", sha, module.length, limits);
      var payload = Payload.of(module, materializer);
      RegistryReplicator.Ack ok = AskPattern.<RegistryReplicator.Command, RegistryReplicator.Ack>ask(target,
              replyTo -> new RegistryReplicator.Replicate(good, payload, replyTo), Duration.ofSeconds(10), system.scheduler())
          .toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertTrue(ok.stored(), ok::toString);
      assertEquals(200, n1.get("/health").statusCode());
      // staged, not served, until its owner commits it
      assertEquals(404, n1.get("/v1/functions/fine").statusCode());
      RegistryReplicator.Ack committed = AskPattern.<RegistryReplicator.Command, RegistryReplicator.Ack>ask(target,
              replyTo -> new RegistryReplicator.Commit(good, replyTo), Duration.ofSeconds(10), system.scheduler())
          .toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertTrue(committed.stored(), committed::toString);
      assertEquals(200, n1.get("/v1/functions/fine").statusCode());
      assertEquals("fine", TestNode.text(n1.invoke("fine", "fine")));
    }
  }

  private static RegistryEntry entry(String name, String sha, long size, Limits limits) {
    return new RegistryEntry(name, 1, new FunctionSpec(name, 1, sha, size, ModuleKind.COMMAND, limits, false, "tenant",
        Instant.now(), null, null, null));
  }
}
