package org.hpcfaas.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code deploy NAME FILE.wasm}: PUT the module with its limits and options; a redeploy makes a new version. */
@Command(name = "deploy", description = "deploy (or redeploy) a function from a WebAssembly module")
final class DeployCommand implements Callable<Integer> {
  private static final Pattern MOUNT = Pattern.compile("[^:/]+:/[^:]*(:ro)?");

  @ParentCommand
  Cli cli;

  @Parameters(index = "0", paramLabel = "NAME", description = "the function's name ([a-z0-9][a-z0-9_-]{0,62})")
  String name;

  @Parameters(index = "1", paramLabel = "FILE.wasm", description = "the module")
  Path module;

  @Option(names = "--memory-mb", paramLabel = "N", description = "memory per instance, in MiB")
  Integer memoryMb;

  @Option(names = "--timeout-ms", paramLabel = "N", description = "time limit per call, in milliseconds")
  Long timeoutMs;

  @Option(names = "--concurrency", paramLabel = "N", description = "calls in flight per node")
  Integer concurrency;

  @Option(names = "--idempotent", description = "may run twice for one call (retried on another worker if its worker is lost)")
  boolean idempotent;

  @Option(names = "--cache", description = "deterministic: serve repeated calls (same stdin, args, environment) from the result cache")
  boolean cache;

  @Option(names = "--mount", paramLabel = "VOLUME:GUESTPATH[:ro]",
      description = "mount an operator-defined volume at an absolute guest path (repeatable; the first is fd 3)")
  List<String> mounts = new ArrayList<>();

  @Option(names = "--default-arg", paramLabel = "ARG",
      description = "an argument the function gets when a call gives none (repeatable, in order)")
  List<String> defaultArgs = new ArrayList<>();

  @Option(names = "--runtime-env", paramLabel = "true|false", arity = "1",
      description = "whether the function's environment holds HPCFAAS_FUNCTION and HPCFAAS_INVOCATION_ID")
  Boolean runtimeEnv;

  @Override
  public Integer call() throws CallFailed {
    positive("--memory-mb", memoryMb);
    positive("--timeout-ms", timeoutMs);
    positive("--concurrency", concurrency);
    for (var m : mounts) {
      if (!MOUNT.matcher(m).matches()) {
        throw new CallFailed(ExitCode.USAGE, "--mount takes VOLUME:GUESTPATH[:ro] with an absolute guest path, got '" + m + "'");
      }
    }
    long size;
    try {
      if (!Files.isRegularFile(module)) {
        throw new CallFailed(ExitCode.USAGE, "no such file: " + module);
      }
      size = Files.size(module);
    } catch (IOException e) {
      throw new CallFailed(ExitCode.USAGE, "cannot read " + module + ": " + e);
    }
    var client = cli.client(false);
    var query = new Query()
        .addIf("memoryMb", memoryMb)
        .addIf("timeoutMs", timeoutMs)
        .addIf("concurrency", concurrency)
        .addIf("idempotent", idempotent ? "true" : null)
        .addIf("cache", cache ? "true" : null)
        .addAll("mount", mounts)
        .addAll("defaultArg", defaultArgs)
        .addIf("runtimeEnv", runtimeEnv);
    var body = HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(() -> open(size)), size);
    var request = client.request(client.uri(query, NodeClient.functionPath(cli.namespace(), name)))
        .header("Content-Type", "application/wasm")
        .PUT(body);
    JsonNode spec = client.json(request, "deploy " + name);
    if (cli.json) {
      cli.printJson(spec);
    } else {
      var limits = spec.path("limits");
      cli.stdout.printf("deployed %s version %d (%s, %d bytes, sha256 %s; memory %d MiB, timeout %d ms, concurrency %d)%n",
          name, spec.path("version").asLong(), spec.path("kind").asText().toLowerCase(java.util.Locale.ROOT),
          spec.path("size").asLong(), spec.path("sha256").asText(), limits.path("memoryMb").asInt(),
          limits.path("timeoutMs").asLong(), limits.path("concurrency").asInt());
    }
    return 0;
  }

  private InputStream open(long size) {
    try {
      InputStream in = Files.newInputStream(module);
      return cli.showProgress() ? new Progress(in, cli.stderr, "uploaded", size) : in;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void positive(String option, Number value) throws CallFailed {
    if (value != null && value.longValue() <= 0) {
      throw new CallFailed(ExitCode.USAGE, option + " takes a positive number, got " + value);
    }
  }
}
