package org.hpcfaas.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code invoke NAME [FILE|-]}: the input streams from the file (or stdin) to the function while its
 * output streams to stdout as it is written; neither is ever held whole.
 */
@Command(name = "invoke", description = {
    "call a function: the input streams from FILE (or stdin) while its output streams to stdout",
    "A function that fails after its output began ends the output early and exits with 3."})
final class InvokeCommand implements Callable<Integer> {
  /** Query keys the runtime reads itself: set through their own options, never through --param. */
  private static final Set<String> STEERING = Set.of("arg", "transfer", "stream", "access_token");

  /** How the node takes the input and gives the output. */
  enum Transfer { bulk, stream, auto }

  @ParentCommand
  Cli cli;

  @Parameters(index = "0", paramLabel = "NAME", description = "the function")
  String name;

  @Parameters(index = "1", paramLabel = "FILE|-", arity = "0..1", defaultValue = "-",
      description = "the input (default: stdin)")
  String input;

  @Option(names = "--arg", paramLabel = "ARG", description = "an argument for the function's argv (repeatable, in order)")
  List<String> args = new ArrayList<>();

  @Option(names = "--param", paramLabel = "KEY=VALUE",
      description = "a variable of the function's environment (repeatable)")
  List<String> params = new ArrayList<>();

  @Option(names = "--transfer", paramLabel = "bulk|stream|auto",
      description = "bulk: read whole, answer whole (size limits); stream; auto (the node's default: by size)")
  Transfer transfer;

  @Override
  public Integer call() throws CallFailed {
    var query = new Query().addAll("arg", args);
    for (var p : params) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new CallFailed(ExitCode.USAGE, "--param takes KEY=VALUE, got '" + p + "'");
      }
      var key = p.substring(0, eq);
      if (STEERING.contains(key)) {
        throw new CallFailed(ExitCode.USAGE, "--param " + key + "=... is not a variable of the function"
            + (key.equals("arg") ? ": pass arguments with --arg" : key.equals("transfer") ? ": use --transfer" : ""));
      }
      query.add(key, p.substring(eq + 1));
    }
    query.addIf("transfer", transfer);
    var client = cli.client(false);
    var uri = client.uri(query, NodeClient.functionPath(cli.namespace(), name, "invoke"));
    long length = -1;
    InputStream in;
    if (input.equals("-")) {
      in = cli.stdin;
    } else {
      var file = Path.of(input);
      try {
        if (!Files.isRegularFile(file)) {
          throw new CallFailed(ExitCode.USAGE, "no such file: " + input);
        }
        length = Files.size(file);
        in = Files.newInputStream(file);
      } catch (IOException e) {
        throw new CallFailed(ExitCode.USAGE, "cannot read " + input + ": " + e);
      }
    }
    if (cli.showProgress()) {
      in = new Progress(in, cli.stderr, "sent", length);
    }
    try {
      return call(client, uri, in, length, "invoke " + name);
    } finally {
      if (in != cli.stdin) {
        closeQuietly(in);
      }
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // a file that was only read
    }
  }

  private int call(NodeClient client, java.net.URI uri, InputStream in, long length, String what) throws CallFailed {
    StreamingCall call;
    try {
      call = new StreamingCall(uri, client.token(), in, length);
    } catch (IOException e) {
      throw client.transportFailure(what, e);
    }
    try (call) {
      if (call.status() >= 400) {
        throw client.failure(what, call.status(), call.body().readAllBytes());
      }
      var buf = new byte[64 * 1024];
      try {
        for (int n = call.body().read(buf); n >= 0; n = call.body().read(buf)) {
          cli.stdout.write(buf, 0, n);
          cli.stdout.flush();
        }
      } catch (IOException cut) {
        if (call.inputFailure() != null) {
          throw new CallFailed(ExitCode.USAGE, what + ": cannot read the input: " + call.inputFailure().getMessage());
        }
        throw midStream(client, what, call.header("Hpcfaas-Invocation-Id"), cut);
      }
      return 0;
    } catch (IOException e) {
      if (call.inputFailure() != null) {
        throw new CallFailed(ExitCode.USAGE, what + ": cannot read the input: " + call.inputFailure().getMessage());
      }
      throw client.transportFailure(what, e);
    }
  }

  /**
   * The output stopped before its end: the function failed after it began (the node cuts the response so
   * that it never looks complete). The node's record of the invocation says how it failed.
   */
  private CallFailed midStream(NodeClient client, String what, String id, IOException cut) {
    var text = what + ": the output was cut off after it began (" + NodeClient.describe(cut) + ")";
    if (id == null) {
      return new CallFailed(ExitCode.FUNCTION_FAILED, text);
    }
    var record = client.uri(null, "v1", "invocations", id);
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        var found = client.json(client.request(record).GET(), "invocation " + id);
        var problem = found.path("problem");
        if (found.path("status").asText().equals("succeeded")) {
          return new CallFailed(ExitCode.UNREACHABLE, what + ": the connection broke while the output streamed, although"
              + " the function succeeded (" + NodeClient.describe(cut) + ")");
        }
        if (problem.isObject()) {
          var failed = CallFailed.ofProblem(what + ": failed after its output began", problem.path("status").asInt(500),
              problem);
          var code = failed.exitCode() == ExitCode.NODE_FAILED ? ExitCode.NODE_FAILED : ExitCode.FUNCTION_FAILED;
          return new CallFailed(code, failed.getMessage(), problem);
        }
      } catch (CallFailed notYet) {
        if (notYet.exitCode() != ExitCode.NOT_FOUND) {
          break;
        }
      }
      try {
        Thread.sleep(200); // the worker records the invocation just after it ends
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return new CallFailed(ExitCode.FUNCTION_FAILED, text + "; see ./hpcfaas logs " + name + " (invocation " + id + ")");
  }
}
