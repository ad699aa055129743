package org.hpcfaas.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code list}: the functions of the namespace, one line each. */
@Command(name = "list", description = "list the functions of the namespace")
final class ListCommand implements Callable<Integer> {
  @ParentCommand
  Cli cli;

  @Override
  public Integer call() throws CallFailed {
    var client = cli.client(false);
    var ns = cli.namespace();
    var segments = ns.equals("default") ? new String[] {"v1", "functions"} : new String[] {"v1", "namespaces", ns, "functions"};
    var functions = client.json(client.request(client.uri(null, segments)).GET(), "list");
    if (cli.json) {
      cli.printJson(functions);
      return 0;
    }
    var format = "%-28s %7s %-8s %10s %7s %10s %5s  %s%n";
    cli.stdout.printf(format, "NAME", "VERSION", "KIND", "BYTES", "MEM_MB", "TIMEOUT_MS", "CONC", "CREATED");
    for (var f : functions) {
      var limits = f.path("limits");
      cli.stdout.printf(format, DescribeCommand.simpleName(f.path("name").asText()), f.path("version").asText(),
          f.path("kind").asText().toLowerCase(java.util.Locale.ROOT), f.path("size").asText(),
          limits.path("memoryMb").asText(), limits.path("timeoutMs").asText(), limits.path("concurrency").asText(),
          f.path("created").asText());
    }
    return 0;
  }
}
