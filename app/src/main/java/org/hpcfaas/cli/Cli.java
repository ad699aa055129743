package org.hpcfaas.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The command-line client of a node's HTTP API: {@code ./hpcfaas deploy|invoke|map|list|describe|delete|logs|token|members}.
 * Options that every command takes are declared here and accepted before or after the command's name.
 */
@Command(name = "hpcfaas", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = Cli.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "The client of an hpc-faas node's HTTP API.",
    subcommands = {DeployCommand.class, InvokeCommand.class, MapCommand.class, ListCommand.class, DescribeCommand.class,
        DeleteCommand.class, LogsCommand.class, TokenCommand.class, MembersCommand.class, CompletionCommand.class,
        CommandLine.HelpCommand.class})
public final class Cli implements java.util.concurrent.Callable<Integer> {
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  static final String DEFAULT_URL = "http://127.0.0.1:8080";

  @Spec
  CommandSpec spec;

  @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "the node's HTTP API (default: $HPCFAAS_URL, else " + DEFAULT_URL + ")")
  String url;

  @Option(names = "--namespace", scope = ScopeType.INHERIT, paramLabel = "NS", defaultValue = "default",
      description = "the namespace of the functions (default: ${DEFAULT-VALUE}); for token create, the"
          + " namespaces to grant, separated by commas")
  String namespace;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "print the node's JSON answers (and problems, on stderr) as they are, for scripts")
  boolean json;

  @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "read the bearer token from FILE (else $HPCFAAS_TOKEN)")
  Path tokenFile;

  @Option(names = "--data-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
      description = "use the node's admin token, DIR/admin.token (token commands try ./hpcfaas-data by default)")
  Path dataDir;

  @Option(names = "--progress", scope = ScopeType.INHERIT,
      description = "show a byte counter on stderr while uploading (the default when stderr is a terminal)")
  boolean progress;

  @Option(names = "--token", scope = ScopeType.INHERIT, hidden = true, arity = "0..1", paramLabel = "TOKEN")
  String tokenArgument;

  InputStream stdin;
  PrintStream stdout;
  PrintStream stderr;
  Map<String, String> env;
  private boolean stderrIsTerminal;
  final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static void main(String[] args) {
    // the launcher tells whether stderr is a terminal (the JDK cannot tell for stderr alone)
    System.exit(run(args, System.in, System.out, System.err, System.getenv(), Boolean.getBoolean("hpcfaas.stderr-tty")));
  }

  /** Runs one command line as {@code ./hpcfaas} would, with these streams and environment; returns the exit code. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, in, out, err, env, false);
  }

  static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
      boolean stderrIsTerminal) {
    var cli = new Cli();
    cli.stdin = in;
    cli.stdout = out;
    cli.stderr = err;
    cli.env = env;
    cli.stderrIsTerminal = stderrIsTerminal;
    var line = commandLine(cli);
    line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int code = line.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static CommandLine commandLine(Cli cli) {
    var line = new CommandLine(cli)
        .setParameterExceptionHandler((e, args) -> {
          var err = e.getCommandLine().getErr();
          err.println("hpcfaas: " + e.getMessage());
          err.println("usage: " + e.getCommandLine().getHelp().synopsis(0).strip()
              + " (see " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
          return ExitCode.USAGE.code();
        })
        .setExecutionExceptionHandler((e, cmd, parsed) -> cli.report(e));
    footer(line);
    return line;
  }

  /** Every command's help ends with the exit codes and where the token comes from. */
  private static void footer(CommandLine line) {
    line.getCommandSpec().usageMessage()
        .footerHeading("%nExit codes:%n")
        .footer(ExitCode.table().replace("%", "%%")
            + "%nThe token is never an argument (others see command lines in ps): $HPCFAAS_TOKEN,%n"
            + "--token-file FILE or --data-dir DIR. The launcher also runs node, cluster, demo,%n"
            + "build and test (./hpcfaas --help).");
    line.getSubcommands().values().forEach(Cli::footer);
  }

  /** With no command: the usage, as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCode.USAGE.code();
  }

  /** Prints why a command failed and gives its exit code. */
  private int report(Exception e) {
    if (e instanceof CallFailed f) {
      if (json) {
        stderr.println((f.problem() != null ? f.problem()
            : mapper.createObjectNode().put("error", f.getMessage()).put("exitCode", f.exitCode().code())).toPrettyString());
      } else {
        stderr.println("hpcfaas: " + f.getMessage());
      }
      return f.exitCode().code();
    }
    stderr.println("hpcfaas: " + e);
    return ExitCode.NODE_FAILED.code();
  }

  /** A client for the chosen node, with the token when one is named; {@code admin} also tries ./hpcfaas-data. */
  NodeClient client(boolean admin) throws CallFailed {
    if (tokenArgument != null) {
      throw new CallFailed(ExitCode.USAGE, "--token is not accepted: a token on a command line is visible to every"
          + " user of this machine (ps); set $HPCFAAS_TOKEN, or pass --token-file FILE or --data-dir DIR");
    }
    return new NodeClient(baseUri(), TokenSource.find(tokenFile, dataDir, env, admin), mapper);
  }

  private URI baseUri() throws CallFailed {
    var text = url != null ? url : env.getOrDefault("HPCFAAS_URL", DEFAULT_URL);
    try {
      var uri = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
      if (uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getHost() == null
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new URISyntaxException(text, "not an http:// or https:// URL of a node");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new CallFailed(ExitCode.USAGE, "--url: " + e.getMessage());
    }
  }

  /** The namespace of the functions, checked as the node checks it. */
  String namespace() throws CallFailed {
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new CallFailed(ExitCode.USAGE, "--namespace: not a namespace name ([a-z0-9][a-z0-9_-]{0,62}): " + namespace);
    }
    return namespace;
  }

  /** Whether uploads show a byte counter. */
  boolean showProgress() {
    return progress || stderrIsTerminal;
  }

  void printJson(JsonNode node) {
    stdout.println(node.toPrettyString());
  }

  /** The version of the jar, when it was built with one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      var v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"hpcfaas " + (v == null ? "(development build)" : v)};
    }
  }
}
