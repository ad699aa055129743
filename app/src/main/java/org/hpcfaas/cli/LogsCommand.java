package org.hpcfaas.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code logs NAME}: the function's recent invocations on every worker, with their stderr. */
@Command(name = "logs", description = "the function's recent invocations on every worker, with their stderr")
final class LogsCommand implements Callable<Integer> {
  @ParentCommand
  Cli cli;

  @Parameters(paramLabel = "NAME", description = "the function")
  String name;

  @Override
  public Integer call() throws CallFailed {
    var client = cli.client(false);
    var path = NodeClient.functionPath(cli.namespace(), name, "logs");
    if (cli.json) {
      cli.printJson(client.json(client.request(client.uri(null, path)).GET(), "logs " + name));
    } else {
      cli.stdout.print(client.text(client.request(client.uri(new Query().add("format", "text"), path)).GET(), "logs " + name));
    }
    return 0;
  }
}
