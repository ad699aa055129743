package org.hpcfaas.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code members}: the cluster as the node sees it ({@code GET /v1/cluster}); {@code ./hpcfaas cluster} starts one. */
@Command(name = "members", aliases = "cluster-status",
    description = "the cluster's members: roles, status, WASM slots and load (./hpcfaas cluster starts a local cluster)")
final class MembersCommand implements Callable<Integer> {
  @ParentCommand
  Cli cli;

  @Override
  public Integer call() throws CallFailed {
    var client = cli.client(false);
    var cluster = client.json(client.request(client.uri(null, "v1", "cluster")).GET(), "members");
    if (cli.json) {
      cli.printJson(cluster);
      return 0;
    }
    cli.stdout.printf("mode %s, answered by %s%n", cluster.path("mode").asText(), cluster.path("self").asText());
    var format = "%-36s %-12s %-15s %-26s %6s %5s %9s %10s%n";
    cli.stdout.printf(format, "ADDRESS", "STATUS", "ROLES", "HTTP", "SLOTS", "BUSY", "IN_FLIGHT", "COMPLETED");
    for (var m : cluster.path("members")) {
      var roles = new StringBuilder();
      m.path("roles").forEach(r -> roles.append(roles.isEmpty() ? "" : ",").append(r.asText()));
      cli.stdout.printf(format, m.path("address").asText() + (m.path("self").asBoolean() ? " *" : ""),
          m.path("status").asText(), roles, m.path("http").asText(), m.path("wasmSlots").asText("-"),
          m.path("wasmBusy").asText("-"), m.path("inFlight").asText("-"), m.path("completed").asText("-"));
    }
    return 0;
  }
}
