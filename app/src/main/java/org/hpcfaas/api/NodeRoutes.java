package org.hpcfaas.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.hpcfaas.wasm.WasmEngine;
import org.hpcfaas.wasm.WasmExecutor;

/** {@code GET /health} and {@code GET /v1/cluster}: is this node serving, and what is the cluster made of. */
public final class NodeRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final WasmEngine engine;
  private final WasmExecutor executor;
  private final JsonResponses responses;
  private final String mode;

  public NodeRoutes(ActorSystem<?> system, WasmEngine engine, WasmExecutor executor, JsonResponses responses, String mode) {
    this.system = system;
    this.engine = engine;
    this.executor = executor;
    this.responses = responses;
    this.mode = mode;
  }

  public Route route() {
    return concat(
        path("health", () -> get(() -> complete(health()))),
        path(org.apache.pekko.http.javadsl.server.PathMatchers.segment("v1").slash("cluster"),
            () -> get(() -> complete(responses.json(200, cluster())))));
  }

  private org.apache.pekko.http.javadsl.model.HttpResponse health() {
    var self = Cluster.get(system).selfMember();
    boolean up = self.status() == MemberStatus.up();
    var body = new LinkedHashMap<String, Object>();
    body.put("status", up ? "UP" : "STARTING");
    body.put("node", self.address().toString());
    body.put("memberStatus", self.status().toString());
    body.put("runtime", engine.runtimeName());
    body.put("optimizing", engine.optimizing());
    return responses.json(up ? 200 : 503, body);
  }

  private Map<String, Object> cluster() {
    var cluster = Cluster.get(system);
    List<Map<String, Object>> members = new ArrayList<>();
    StreamSupport.stream(cluster.state().getMembers().spliterator(), false).forEach(m -> {
      var member = new LinkedHashMap<String, Object>();
      member.put("address", m.address().toString());
      member.put("roles", m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
      member.put("status", m.status().toString());
      member.put("self", m.equals(cluster.selfMember()));
      members.add(member);
    });
    var self = new LinkedHashMap<String, Object>();
    self.put("address", cluster.selfMember().address().toString());
    self.put("wasmSlots", executor.threads());
    self.put("wasmBusy", executor.busy());
    self.put("memoryBudgetMb", engine.memoryBudgetMb());
    self.put("memoryFreeMb", engine.memoryFreeMb());
    self.put("runtime", engine.runtimeName());
    var body = new LinkedHashMap<String, Object>();
    body.put("mode", mode);
    body.put("self", self);
    body.put("members", members);
    return body;
  }
}
