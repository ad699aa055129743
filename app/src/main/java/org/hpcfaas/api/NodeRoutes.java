package org.hpcfaas.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.core.EveryInstance;
import org.hpcfaas.observe.NodeMetrics;
import org.hpcfaas.observe.NodeStats;
import org.hpcfaas.core.Worker;
import org.hpcfaas.gateway.WorkerPlacement;

/**
 * {@code GET /health}, {@code GET /v1/cluster} and {@code GET /metrics}: is this node serving, what is the
 * cluster made of, and this node's Prometheus metrics.
 */
public final class NodeRoutes extends AllDirectives {
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(2);

  private final ActorSystem<?> system;
  private final WorkerPlacement placement;
  private final NodeStats stats;
  private final NodeMetrics metrics;
  private final JsonResponses responses;
  private final String mode;

  public NodeRoutes(ActorSystem<?> system, WorkerPlacement placement, NodeStats stats, NodeMetrics metrics,
      JsonResponses responses, String mode) {
    this.stats = stats;
    this.metrics = metrics;
    this.system = system;
    this.placement = placement;
    this.responses = responses;
    this.mode = mode;
  }

  /**
   * {@code GET /health}: 200 once this node serves (a member that is Up, ready if a worker, with a
   * worker to route to if a gateway), 503 before. Open to everyone, so that load balancers and
   * schedulers can probe it.
   */
  public Route health() {
    return path("health", () -> get(() -> complete(healthReport())));
  }

  /** {@code GET /v1/cluster} (under the caller's authentication). */
  public Route cluster() {
    return path("cluster", () -> get(() -> completeWithFuture(clusterReport())));
  }

  /** {@code GET /metrics}: function names are not for everyone, so admins only when authentication is on. */
  public Route metrics(Principal principal) {
    return path("metrics", () -> get(() -> complete(principal.isAdmin()
        ? HttpResponse.create().withEntity(ContentTypes.create(MediaTypes.TEXT_PLAIN, HttpCharsets.UTF_8), metrics.scrape())
        : responses.problem(Problem.of(ProblemType.NOT_FOUND, "no such resource")))));
  }

  private HttpResponse healthReport() {
    var self = Cluster.get(system).selfMember();
    boolean up = self.status() == MemberStatus.up()
        && (!self.hasRole("worker") || stats.ready())
        && (!self.hasRole("gateway") || !placement.workers().isEmpty());
    var here = stats.snapshot();
    var body = new LinkedHashMap<String, Object>();
    body.put("status", up ? "UP" : "STARTING");
    body.put("node", self.address().toString());
    body.put("memberStatus", self.status().toString());
    body.put("mode", mode);
    body.put("runtime", here.runtime());
    body.put("optimizing", stats.optimizing());
    body.put("wasmSlots", here.wasmSlots());
    body.put("workersReachable", placement.workers().size());
    return responses.json(up ? 200 : 503, body);
  }

  private CompletionStage<HttpResponse> clusterReport() {
    return allStats().thenApply(byNode -> {
      var cluster = Cluster.get(system);
      var load = placement.load();
      List<Map<String, Object>> members = new ArrayList<>();
      for (Member m : cluster.state().getMembers()) {
        var member = new LinkedHashMap<String, Object>();
        member.put("address", m.address().toString());
        member.put("roles", m.getRoles().stream()
            .filter(r -> r.equals("gateway") || r.equals("worker")).sorted().toList());
        member.put("status", cluster.state().getUnreachable().contains(m) ? "Unreachable" : m.status().toString());
        member.put("mode", role(m, Worker.MODE_ROLE_PREFIX));
        member.put("http", "http://" + role(m, Worker.HTTP_ROLE_PREFIX));
        member.put("slots", m.getRoles().stream().filter(r -> r.startsWith(Worker.SLOTS_ROLE_PREFIX))
            .map(r -> Integer.valueOf(r.substring(Worker.SLOTS_ROLE_PREFIX.length()))).findFirst().orElse(null));
        member.put("volumes", m.getRoles().stream().filter(r -> r.startsWith(Worker.VOLUME_ROLE_PREFIX))
            .map(r -> r.substring(Worker.VOLUME_ROLE_PREFIX.length())).sorted().toList());
        member.put("drainsAt", m.getRoles().stream().filter(r -> r.startsWith(Worker.DRAINS_ROLE_PREFIX))
            .map(r -> java.time.Instant.ofEpochMilli(Long.parseLong(r.substring(Worker.DRAINS_ROLE_PREFIX.length()))))
            .findFirst().orElse(null));
        member.put("self", m.equals(cluster.selfMember()));
        var s = byNode.get(m.address().toString());
        if (s != null) {
          member.put("wasmSlots", s.wasmSlots());
          member.put("wasmBusy", s.wasmBusy());
          member.put("inFlight", s.inFlight());
          member.put("completed", s.completed());
          member.put("replicasHosted", s.replicasHosted());
          member.put("memoryBudgetMb", s.memoryBudgetMb());
          member.put("memoryFreeMb", s.memoryFreeMb());
          member.put("runtime", s.runtime());
        }
        member.put("callsFromThisGateway", load.getOrDefault(m.address(), 0));
        members.add(member);
      }
      var body = new LinkedHashMap<String, Object>();
      body.put("mode", mode);
      body.put("self", cluster.selfMember().address().toString());
      body.put("members", members);
      return responses.json(200, body);
    });
  }

  /** Every node's figures: this one's directly, the others' asked (those that do not answer in time are left out). */
  private CompletionStage<Map<String, NodeStats.Snapshot>> allStats() {
    return EveryInstance.ask(system, NodeStats.SERVICE, NodeStats.Get::new, STATS_TIMEOUT).thenApply(all -> {
      var byNode = new LinkedHashMap<String, NodeStats.Snapshot>();
      var self = stats.snapshot();
      byNode.put(self.node(), self);
      all.forEach(s -> byNode.putIfAbsent(s.node(), s));
      return byNode;
    });
  }

  private static String role(Member m, String prefix) {
    return m.getRoles().stream().filter(r -> r.startsWith(prefix)).map(r -> r.substring(prefix.length()))
        .findFirst().orElse("");
  }
}
