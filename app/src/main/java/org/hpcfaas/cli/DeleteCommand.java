package org.hpcfaas.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code delete NAME}: removes the function from every node; calls already running finish. */
@Command(name = "delete", description = "delete a function")
final class DeleteCommand implements Callable<Integer> {
  @ParentCommand
  Cli cli;

  @Parameters(paramLabel = "NAME", description = "the function")
  String name;

  @Override
  public Integer call() throws CallFailed {
    var client = cli.client(false);
    client.json(client.request(client.uri(null, NodeClient.functionPath(cli.namespace(), name))).DELETE(), "delete " + name);
    if (cli.json) {
      cli.printJson(cli.mapper.createObjectNode().put("name", name).put("namespace", cli.namespace()).put("deleted", true));
    } else {
      cli.stdout.println("deleted " + name);
    }
    return 0;
  }
}
