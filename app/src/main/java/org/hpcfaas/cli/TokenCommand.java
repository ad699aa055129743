package org.hpcfaas.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code token create|list|revoke}: bearer tokens, for admins. The admin token is the node's
 * {@code DATA_DIR/admin.token} ({@code --data-dir}, default ./hpcfaas-data), $HPCFAAS_TOKEN or --token-file.
 */
@Command(name = "token", description = "manage bearer tokens (needs an admin token)",
    synopsisSubcommandLabel = "(create | list | revoke)")
final class TokenCommand {
  private static final Set<String> RIGHTS = Set.of("invoke", "deploy", "admin");
  private static final Pattern NAMESPACE = Pattern.compile("\\*|[a-z0-9][a-z0-9_-]{0,62}");

  @ParentCommand
  Cli cli;

  @Command(name = "create", description = {
      "issue a token granting RIGHTS in the namespaces of --namespace (separated by commas; * for all)",
      "The token's secret is printed once."})
  int create(
      @Option(names = "--tenant", required = true, paramLabel = "T", description = "the tenant it belongs to") String tenant,
      @Option(names = "--rights", split = ",", paramLabel = "RIGHTS", defaultValue = "invoke",
          description = "some of invoke,deploy,admin (default: ${DEFAULT-VALUE})") List<String> rights,
      @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "0",
          description = "concurrent invocations per gateway (0: no limit)") int maxConcurrent,
      @Option(names = "--max-module-mb", paramLabel = "N", defaultValue = "0",
          description = "total MiB of modules the tenant may deploy (0: no limit)") long maxModuleMb) throws CallFailed {
    for (var r : rights) {
      if (!RIGHTS.contains(r)) {
        throw new CallFailed(ExitCode.USAGE, "--rights takes invoke, deploy and admin, got '" + r + "'");
      }
    }
    if (maxConcurrent < 0 || maxModuleMb < 0) {
      throw new CallFailed(ExitCode.USAGE, "--max-concurrent and --max-module-mb take a number of 0 or more");
    }
    long maxModuleBytes;
    try {
      maxModuleBytes = Math.multiplyExact(maxModuleMb, 1024L * 1024L);
    } catch (ArithmeticException e) {
      throw new CallFailed(ExitCode.USAGE, "--max-module-mb is too large: " + maxModuleMb);
    }
    var request = cli.mapper.createObjectNode();
    request.put("tenant", tenant);
    var grants = request.putObject("grants");
    var namespaces = new ArrayList<String>();
    for (var ns : cli.namespace.split(",")) {
      if (!NAMESPACE.matcher(ns.trim()).matches()) {
        throw new CallFailed(ExitCode.USAGE, "--namespace: not a namespace name: '" + ns + "'");
      }
      namespaces.add(ns.trim());
    }
    for (var ns : namespaces) {
      var list = grants.putArray(ns);
      rights.forEach(list::add);
    }
    request.put("maxConcurrentInvocations", maxConcurrent);
    request.put("maxModuleBytes", maxModuleBytes);
    var client = cli.client(true);
    var issued = client.json(client.request(client.uri(null, "v1", "tokens"))
        .header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes(request))), "token create");
    if (cli.json) {
      cli.printJson(issued);
    } else {
      cli.stdout.printf("token %s for tenant %s: %s%n", issued.path("id").asText(), issued.path("tenant").asText(),
          issued.path("grants"));
      cli.stdout.println(issued.path("token").asText());
    }
    cli.stderr.println("hpcfaas: the token is shown once; clients read it from $HPCFAAS_TOKEN or --token-file FILE");
    return 0;
  }

  @Command(name = "list", description = "list the tokens (without their secrets)")
  int list() throws CallFailed {
    var client = cli.client(true);
    var tokens = client.json(client.request(client.uri(null, "v1", "tokens")).GET(), "token list");
    if (cli.json) {
      cli.printJson(tokens);
      return 0;
    }
    var format = "%-34s %-20s %-8s %-14s %-14s %s%n";
    cli.stdout.printf(format, "ID", "TENANT", "REVOKED", "MAX_CONCURRENT", "MAX_MODULE_MB", "GRANTS");
    for (var t : tokens) {
      cli.stdout.printf(format, t.path("id").asText(), t.path("tenant").asText(), t.path("revoked").asText(),
          t.path("maxConcurrentInvocations").asText(), t.path("maxModuleBytes").asLong() / (1024 * 1024),
          t.path("grants"));
    }
    return 0;
  }

  @Command(name = "revoke", description = "revoke a token")
  int revoke(@Parameters(paramLabel = "ID", description = "the token's id (token list)") String id) throws CallFailed {
    var client = cli.client(true);
    client.json(client.request(client.uri(null, "v1", "tokens", id)).DELETE(), "token revoke " + id);
    if (cli.json) {
      cli.printJson(cli.mapper.createObjectNode().put("id", id).put("revoked", true));
    } else {
      cli.stdout.println("revoked " + id);
    }
    return 0;
  }

  private byte[] bytes(com.fasterxml.jackson.databind.JsonNode node) throws CallFailed {
    try {
      return cli.mapper.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CallFailed(ExitCode.USAGE, "cannot write the request: " + e.getMessage());
    }
  }
}
