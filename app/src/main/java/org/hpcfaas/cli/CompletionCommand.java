package org.hpcfaas.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParentCommand;

/** {@code completion}: a bash (and zsh) completion script for every command, the launcher's included. */
@Command(name = "completion", description = {
    "print a bash completion script: source <(./hpcfaas completion)",
    "(or save it under /etc/bash_completion.d/ or ~/.local/share/bash-completion/completions/hpcfaas)"})
final class CompletionCommand implements Callable<Integer> {
  /** The launcher's own commands, run by ./hpcfaas itself and not by this program. */
  private static final String[][] LAUNCHER = {
      {"node", "run a node in the foreground"},
      {"cluster", "start N nodes on this machine"},
      {"demo", "start a node, deploy the SDK examples, invoke each, keep serving"},
      {"build", "build everything"},
      {"test", "build everything and run the whole test suite"}};

  @ParentCommand
  Cli cli;

  @Override
  public Integer call() {
    var line = Cli.commandLine(new Cli());
    for (var c : LAUNCHER) {
      line.addSubcommand(c[0], CommandSpec.create().name(c[0]).usageMessage(new UsageMessageSpec()
          .description(c[1])));
    }
    cli.stdout.print(AutoComplete.bash("hpcfaas", line));
    return 0;
  }
}
