package org.hpcfaas.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code describe NAME}: a function's version, module, limits and options. */
@Command(name = "describe", description = "show a function: version, sha256, size, kind, limits, created")
final class DescribeCommand implements Callable<Integer> {
  @ParentCommand
  Cli cli;

  @Parameters(paramLabel = "NAME", description = "the function")
  String name;

  @Override
  public Integer call() throws CallFailed {
    var client = cli.client(false);
    var spec = client.json(client.request(client.uri(null, NodeClient.functionPath(cli.namespace(), name))).GET(),
        "describe " + name);
    if (cli.json) {
      cli.printJson(spec);
      return 0;
    }
    spec.properties().forEach(e -> {
      if (e.getValue().isObject()) {
        e.getValue().properties().forEach(inner -> cli.stdout.printf("%-14s %s%n", inner.getKey(), text(inner.getValue())));
      } else {
        cli.stdout.printf("%-14s %s%n", e.getKey(),
            e.getKey().equals("name") ? simpleName(e.getValue().asText()) : text(e.getValue()));
      }
    });
    return 0;
  }

  private static String text(com.fasterxml.jackson.databind.JsonNode value) {
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /** The name without its namespace: the node qualifies names of other namespaces as {@code ns:name}. */
  static String simpleName(String qualified) {
    return qualified.substring(qualified.indexOf(':') + 1);
  }
}
