package org.hpcfaas.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code map NAME FILE}: one invocation per record of FILE, spread over the cluster; each record's result
 * is one NDJSON line on stdout as it ends, and a progress bar on stderr counts them.
 */
@Command(name = "map", description = {
    "run a function once per record of FILE over the whole cluster; one NDJSON result line per record on stdout",
    "Exits with 3 when any record failed (the others' results are still printed)."})
final class MapCommand implements Callable<Integer> {
  /** How FILE is cut into records. */
  enum Records { lines, binary, ndjson }

  private static final long INTERVAL_NANOS = 200_000_000L;
  private static final int BAR = 30;

  @ParentCommand
  Cli cli;

  @Parameters(index = "0", paramLabel = "NAME", description = "the function")
  String name;

  @Parameters(index = "1", paramLabel = "FILE", description = "the records")
  Path file;

  @Option(names = "--records", paramLabel = "lines|binary|ndjson", defaultValue = "lines",
      description = "lines: each line is one stdin (default); binary: 4-byte big-endian length, then the bytes;"
          + " ndjson: {\"stdin\": base64, \"args\": [...]} per line")
  Records records;

  @Option(names = "--ordered", description = "print the results in input order (default: as they end)")
  boolean ordered;

  @Option(names = "--concurrency", paramLabel = "N", description = "invocations at once (default: the cluster's free slots)")
  Integer concurrency;

  @Option(names = "--arg", paramLabel = "ARG", description = "an argument for every record's argv (repeatable, in order)")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws CallFailed {
    if (!Files.isRegularFile(file)) {
      throw new CallFailed(ExitCode.USAGE, "no such file: " + file);
    }
    long total;
    long size;
    try {
      total = count(file, records);
      size = Files.size(file);
    } catch (IOException e) {
      throw new CallFailed(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
    }
    var query = new Query().add("records", records.name()).addAll("arg", args).addIf("concurrency", concurrency);
    if (ordered) {
      query.add("ordered", "true");
    }
    var client = cli.client(false);
    var what = "map " + name;
    var uri = client.uri(query, NodeClient.functionPath(cli.namespace(), name, "map"));
    long done = 0;
    long failed = 0;
    try (var in = Files.newInputStream(file); var call = new StreamingCall(uri, client.token(), in, size)) {
      if (call.status() >= 400) {
        throw client.failure(what, call.status(), call.body().readAllBytes());
      }
      var reader = new BufferedReader(new InputStreamReader(call.body(), StandardCharsets.UTF_8));
      long lastShown = 0;
      for (var line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          continue;
        }
        cli.stdout.println(line);
        done++;
        if (!"succeeded".equals(status(line))) {
          failed++;
        }
        long now = System.nanoTime();
        if (cli.showProgress() && now - lastShown >= INTERVAL_NANOS) {
          lastShown = now;
          cli.stderr.print("\r" + bar(done, total, failed));
          cli.stderr.flush();
        }
      }
      cli.stdout.flush();
    } catch (IOException e) {
      throw client.transportFailure(what, e);
    }
    if (cli.showProgress()) {
      cli.stderr.println("\r" + bar(done, total, failed));
    }
    if (done < total) {
      throw new CallFailed(ExitCode.NODE_FAILED, what + ": the results ended after " + done + " of " + total + " records");
    }
    if (failed > 0) {
      throw new CallFailed(ExitCode.FUNCTION_FAILED, what + ": " + failed + " of " + total + " records failed"
          + " (their lines have status failed and the problem)");
    }
    return 0;
  }

  private String status(String line) {
    try {
      JsonNode node = cli.mapper.readTree(line);
      return node.path("status").asText();
    } catch (IOException e) {
      return "";
    }
  }

  static String bar(long done, long total, long failed) {
    int filled = total == 0 ? BAR : (int) (BAR * Math.min(done, total) / total);
    return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + done + "/" + total + " records"
        + (failed > 0 ? ", " + failed + " failed" : "");
  }

  /** The records of {@code file} as the node will cut them, so that the bar knows its end. */
  static long count(Path file, Records format) throws IOException {
    if (format == Records.binary) {
      long n = 0;
      try (var in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
        while (true) {
          int length;
          try {
            length = in.readInt();
          } catch (EOFException end) {
            return n;
          }
          in.skipNBytes(length);
          n++;
        }
      }
    }
    long n = 0;
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
      boolean blank = true;
      boolean any = false;
      for (int b = in.read(); b >= 0; b = in.read()) {
        if (b == '\n') {
          if (format == Records.lines || !blank) {
            n++;
          }
          blank = true;
          any = false;
        } else {
          any = true;
          if (b != ' ' && b != '\t' && b != '\r') {
            blank = false;
          }
        }
      }
      if (any && (format == Records.lines || !blank)) {
        n++;
      }
    }
    return n;
  }
}
