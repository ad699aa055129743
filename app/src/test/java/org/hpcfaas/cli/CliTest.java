package org.hpcfaas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.hpcfaas.api.ProblemType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line client, run in-process against a real node with authentication on. */
class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MIB = 1024 * 1024;

  @TempDir
  static Path data;
  @TempDir
  static Path files;
  static TestNode node;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(data, "hpcfaas.auth.enabled = on");
    admin = Files.readString(data.resolve("admin.token")).trim();
    for (var name : List.of("upper", "sha256")) {
      var module = files.resolve(name + ".wasm");
      Files.write(module, TestModules.example(name));
      assertEquals(0, cli("deploy", name, module.toString()).code);
    }
    for (var name : List.of("fail", "midfail", "env")) {
      var module = files.resolve(name + ".wasm");
      Files.write(module, TestModules.testFunction(name));
      assertEquals(0, cli("deploy", name, module.toString()).code);
    }
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  record Result(int code, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }

    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  /** Runs the CLI against the node with the admin token in $HPCFAAS_TOKEN and no input. */
  static Result cli(String... args) {
    return run(new ByteArrayInputStream(new byte[0]), Map.of("HPCFAAS_TOKEN", admin), args);
  }

  static Result run(InputStream stdin, Map<String, String> env, String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var all = new ArrayList<>(List.of("--url", node.url));
    all.addAll(List.of(args));
    int code = Cli.run(all.toArray(String[]::new), stdin, new PrintStream(out, true), new PrintStream(err, true), env);
    return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void mapRunsEveryRecordPrintsOneLineEachAndShowsProgress() throws Exception {
    var records = files.resolve("records.txt");
    Files.writeString(records, "alpha\nbeta\ngamma\n");
    var mapped = cli("map", "upper", records.toString(), "--ordered", "--progress");
    assertEquals(0, mapped.code, mapped.err);
    var lines = mapped.text().lines().toList();
    assertEquals(3, lines.size(), mapped.text());
    assertEquals(List.of("ALPHA", "BETA", "GAMMA"), lines.stream().map(l -> {
      try {
        return JSON.readTree(l).get("output").asText();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList());
    assertTrue(mapped.err.contains("] 3/3 records"), mapped.err);

    var failing = cli("map", "fail", records.toString());
    assertEquals(3, failing.code, failing.err);
    assertEquals(3, failing.text().lines().count(), "every record's result is printed, failed or not");
    assertTrue(failing.err.contains("3 of 3 records failed"), failing.err);

    var binary = files.resolve("records.bin");
    var bytes = new ByteArrayOutputStream();
    for (var r : List.of("x", "yz")) {
      bytes.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(r.length()).array());
      bytes.writeBytes(r.getBytes(StandardCharsets.UTF_8));
    }
    Files.write(binary, bytes.toByteArray());
    assertEquals(2, MapCommand.count(binary, MapCommand.Records.binary));
    var inBinary = cli("map", "upper", binary.toString(), "--records", "binary", "--ordered");
    assertEquals(0, inBinary.code, inBinary.err);
    assertTrue(inBinary.text().contains("\"output\":\"YZ\""), inBinary.text());
    assertEquals(1, cli("map", "upper", files.resolve("missing.txt").toString()).code);
  }

  @Test
  void deployListDescribeAndDeleteSpeakJson() throws Exception {
    var module = files.resolve("shout.wasm");
    Files.write(module, TestModules.example("upper"));
    var deployed = cli("--json", "deploy", "shout", module.toString(), "--memory-mb", "16", "--timeout-ms", "3000",
        "--concurrency", "2", "--idempotent");
    assertEquals(0, deployed.code, deployed.err);
    var spec = deployed.json();
    assertEquals("shout", spec.get("name").asText());
    assertEquals(16, spec.get("limits").get("memoryMb").asInt());
    assertEquals(3000, spec.get("limits").get("timeoutMs").asLong());
    assertEquals(2, spec.get("limits").get("concurrency").asInt());
    assertTrue(spec.get("idempotent").asBoolean());

    var listed = cli("list", "--json");
    assertEquals(0, listed.code, listed.err);
    var names = new ArrayList<String>();
    listed.json().forEach(f -> names.add(f.get("name").asText()));
    assertTrue(names.containsAll(List.of("shout", "upper", "sha256")), names::toString);
    assertTrue(cli("list").text().lines().anyMatch(l -> l.startsWith("shout ")), "the table has a line per function");

    var described = cli("describe", "shout", "--json");
    assertEquals(0, described.code, described.err);
    assertEquals(spec.get("sha256").asText(), described.json().get("sha256").asText());

    var deleted = cli("delete", "shout", "--json");
    assertEquals(0, deleted.code, deleted.err);
    assertTrue(deleted.json().get("deleted").asBoolean());
    var gone = cli("describe", "shout");
    assertEquals(4, gone.code, gone.err);
    assertTrue(gone.err.contains("function-not-found"), gone.err);
  }

  @Test
  void twentyMegabytesStreamThroughSha256FromStdinAndFromAFile() throws Exception {
    long size = 20L * MIB;
    var digest = MessageDigest.getInstance("SHA-256");
    var stdin = new GeneratedInput(size, 42, digest);
    var fromStdin = run(stdin, Map.of("HPCFAAS_TOKEN", admin), "invoke", "sha256", "-");
    assertEquals(0, fromStdin.code, fromStdin.err);
    assertEquals(size, stdin.produced, "the whole input was read");
    assertEquals(HexFormat.of().formatHex(digest.digest()), fromStdin.text().strip());

    var file = files.resolve("input.bin");
    var fileDigest = MessageDigest.getInstance("SHA-256");
    try (var in = new GeneratedInput(size, 7, fileDigest)) {
      Files.copy(in, file);
    }
    var fromFile = cli("invoke", "sha256", file.toString(), "--transfer", "stream");
    assertEquals(0, fromFile.code, fromFile.err);
    assertEquals(HexFormat.of().formatHex(fileDigest.digest()), fromFile.text().strip());
  }

  @Test
  void outputStreamsOutWhileTheInputIsStillComingIn() throws Exception {
    try (var call = new Background("invoke", "upper")) {
      call.feed.write("first line\n".getBytes(StandardCharsets.UTF_8));
      call.feed.flush();
      assertTrue(call.out.awaitContaining("FIRST LINE\n", 30), "the first line's answer arrives before the input ends");
      // then as much output as input, far more than any socket buffer: both directions must flow at once
      var chunk = "abcdefghijklmnopqrstuvwxyz0123456789\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < 300; i++) {
        call.feed.write(chunk);
      }
      call.feed.close();
      assertEquals(0, call.exitCode(), call.err::toString);
      var text = call.out.text();
      assertEquals("FIRST LINE\n".length() + 300L * chunk.length, text.length());
      assertTrue(text.endsWith("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n"));
    }
  }

  @Test
  void aFailingFunctionExitsWith3AndShowsItsStderr() {
    var r = cli("invoke", "fail");
    assertEquals(3, r.code, r.err);
    assertTrue(r.err.contains("exited with code 7") && r.err.contains("something went wrong: bad input"), r.err);
  }

  @Test
  void aFailureAfterTheOutputBeganIsReportedAsSuch() throws Exception {
    try (var call = new Background("invoke", "midfail", "--transfer", "stream")) {
      call.feed.write("some input".getBytes(StandardCharsets.UTF_8));
      call.feed.flush();
      assertTrue(call.out.awaitContaining("first part of the output\n", 30), "the output began");
      call.feed.close();
      assertEquals(3, call.exitCode(), call.err::toString);
      assertEquals("first part of the output\n", call.out.text(), "what was written before the failure is passed on");
      var err = call.err.toString(StandardCharsets.UTF_8);
      assertTrue(err.contains("failed after its output began") && err.contains("exited with code 4")
          && err.contains("giving up after the output began"), err);
      assertFalse(err.contains("cannot reach"), err);
    }
  }

  @Test
  void exitCodesFollowTheProblemType() {
    var missing = cli("invoke", "no-such-function");
    assertEquals(4, missing.code, missing.err);
    var bad = files.resolve("bad.wasm");
    assertEquals(5, cli("deploy", "bad", writeFile(bad, "not wasm")).code);
    assertEquals(6, run(new ByteArrayInputStream(new byte[0]), Map.of(), "list").code, "no token: 401");
    try (var closed = new ServerSocket(0)) {
      int port = closed.getLocalPort();
      closed.close();
      var r = Cli.run(new String[] {"--url", "http://127.0.0.1:" + port, "list"}, InputStream.nullInputStream(),
          new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()), Map.of());
      assertEquals(2, r, "nothing listens: cannot reach the node");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    for (var type : ProblemType.values()) {
      var code = ExitCode.of(type.uri(), type.status());
      assertEquals(ExitCode.of(type), code);
      assertNotEquals(ExitCode.OK, code);
      assertNotEquals(ExitCode.USAGE, code);
    }
  }

  @Test
  void unknownOptionsAndBadValuesAreUsageErrors() {
    var unknown = cli("list", "--bogus");
    assertEquals(1, unknown.code);
    assertTrue(unknown.err.contains("Unknown option: '--bogus'"), unknown.err);
    var notANumber = cli("deploy", "x", "x.wasm", "--memory-mb", "lots");
    assertEquals(1, notANumber.code);
    assertTrue(notANumber.err.contains("--memory-mb"), notANumber.err);
    assertEquals(1, cli("deploy", "x", "x.wasm", "--memory-mb", "-5").code);
    assertEquals(1, cli("invoke", "upper", "--transfer", "sideways").code);
    assertEquals(1, cli("invoke", "upper", "--param", "novalue").code);
    assertEquals(1, cli("deploy", "x", writeFile(files.resolve("x.wasm"), "x"), "--mount", "relative").code);
    assertEquals(1, cli("token", "create", "--tenant", "t", "--rights", "everything").code);
  }

  @Test
  void theTokenComesFromAFileOrTheEnvironmentAndNeverFromAnArgument() throws Exception {
    var onArgument = run(InputStream.nullInputStream(), Map.of(), "list", "--token", admin);
    assertEquals(1, onArgument.code);
    assertTrue(onArgument.err.contains("--token is not accepted"), onArgument.err);
    assertFalse(onArgument.err.contains(admin), "the rejected token is not echoed");

    var issued = run(InputStream.nullInputStream(), Map.of(), "--data-dir", data.toString(), "--json",
        "token", "create", "--tenant", "carol", "--namespace", "gamma", "--rights", "deploy,invoke");
    assertEquals(0, issued.code, issued.err);
    var token = issued.json().get("token").asText();
    assertTrue(token.startsWith("hpcfaas_"), token);
    var tokenFile = files.resolve("carol.token");
    Files.writeString(tokenFile, token + "\n");

    var module = files.resolve("carol-upper.wasm");
    Files.write(module, TestModules.example("upper"));
    var fromFile = run(InputStream.nullInputStream(), Map.of(), "--token-file", tokenFile.toString(),
        "--namespace", "gamma", "deploy", "up", module.toString());
    assertEquals(0, fromFile.code, fromFile.err);
    var fromEnv = run(new ByteArrayInputStream("carol".getBytes(StandardCharsets.UTF_8)), Map.of("HPCFAAS_TOKEN", token),
        "invoke", "up", "--namespace", "gamma");
    assertEquals(0, fromEnv.code, fromEnv.err);
    assertEquals("CAROL", fromEnv.text());
    assertEquals(4, run(InputStream.nullInputStream(), Map.of("HPCFAAS_TOKEN", token), "describe", "upper").code,
        "carol sees nothing in the default namespace");

    var listed = run(InputStream.nullInputStream(), Map.of(), "--data-dir", data.toString(), "token", "list", "--json");
    assertEquals(0, listed.code, listed.err);
    var id = issued.json().get("id").asText();
    var ids = new ArrayList<String>();
    listed.json().forEach(t -> ids.add(t.get("id").asText()));
    assertTrue(ids.contains(id), ids::toString);
    assertFalse(listed.text().contains(token), "no secret in the list");

    assertEquals(0, run(InputStream.nullInputStream(), Map.of(), "--data-dir", data.toString(), "token", "revoke", id).code);
    assertEquals(6, run(InputStream.nullInputStream(), Map.of(), "--token-file", tokenFile.toString(),
        "--namespace", "gamma", "list").code, "a revoked token is refused");
  }

  @Test
  void paramsBecomeTheFunctionsEnvironment() {
    var r = cli("invoke", "env", "--param", "alpha=1", "--param", "beta=two words & more=x");
    assertEquals(0, r.code, r.err);
    assertTrue(r.text().contains("alpha=1\n") && r.text().contains("beta=two words & more=x\n"), r.text());
  }

  @Test
  void membersShowsTheCluster() throws Exception {
    var r = cli("members", "--json");
    assertEquals(0, r.code, r.err);
    var members = r.json().get("members");
    assertEquals(1, members.size());
    assertEquals("Up", members.get(0).get("status").asText());
    assertTrue(cli("cluster-status").text().contains("Up"));
  }

  @Test
  void completionCoversEveryCommandAndTheLaunchers() {
    var r = cli("completion");
    assertEquals(0, r.code, r.err);
    for (var word : List.of("deploy", "invoke", "members", "token", "node", "cluster", "demo", "--transfer", "--default-arg")) {
      assertTrue(r.text().contains(word), word);
    }
  }

  @Test
  void requestsCarryEveryOptionEncodedInOrderAndTheTokenInAHeader() throws Exception {
    var seen = new CopyOnWriteArrayList<Map<String, String>>();
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      var request = new HashMap<String, String>();
      request.put("method", exchange.getRequestMethod());
      request.put("path", exchange.getRequestURI().getRawPath());
      request.put("query", exchange.getRequestURI().getRawQuery());
      request.put("authorization", exchange.getRequestHeaders().getFirst("Authorization"));
      request.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      seen.add(request);
      var answer = "{\"name\":\"f\",\"version\":1,\"kind\":\"COMMAND\",\"limits\":{}}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
    try {
      var url = "http://127.0.0.1:" + server.getAddress().getPort();
      var module = writeFile(files.resolve("f.wasm"), "module bytes");
      var env = Map.of("HPCFAAS_TOKEN", "hpcfaas_test_secret");
      var deploy = Cli.run(new String[] {"--url", url, "deploy", "f", module, "--memory-mb", "8", "--idempotent",
          "--mount", "data:/data:ro", "--mount", "scratch:/", "--default-arg", "-v", "--default-arg", "a b",
          "--runtime-env", "false"}, InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(new ByteArrayOutputStream()), env);
      assertEquals(0, deploy);
      var invoke = Cli.run(new String[] {"--url", url, "--namespace", "physics", "invoke", "f", "--arg", "-n",
          "--arg", "512", "--arg", "a b&c=d/ü+", "--param", "mode=fast slow", "--transfer", "bulk"},
          new ByteArrayInputStream("input".getBytes(StandardCharsets.UTF_8)), new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(new ByteArrayOutputStream()), env);
      assertEquals(0, invoke);

      var d = seen.get(0);
      assertEquals("PUT", d.get("method"));
      assertEquals("/v1/functions/f", d.get("path"));
      assertEquals("memoryMb=8&idempotent=true&mount=data%3A%2Fdata%3Aro&mount=scratch%3A%2F&defaultArg=-v"
          + "&defaultArg=a%20b&runtimeEnv=false", d.get("query"));
      assertEquals("module bytes", d.get("body"));
      assertEquals("Bearer hpcfaas_test_secret", d.get("authorization"));

      var i = seen.get(1);
      assertEquals("POST", i.get("method"));
      assertEquals("/v1/namespaces/physics/functions/f/invoke", i.get("path"));
      assertEquals("arg=-n&arg=512&arg=a%20b%26c%3Dd%2F%C3%BC%2B&mode=fast%20slow&transfer=bulk", i.get("query"));
      assertEquals("input", i.get("body"));
      assertEquals("Bearer hpcfaas_test_secret", i.get("authorization"));
    } finally {
      server.stop(0);
    }
  }

  private static String writeFile(Path file, String content) {
    try {
      Files.writeString(file, content);
      return file.toString();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Pseudo-random bytes made as they are read (never held whole), digested on the way. */
  static final class GeneratedInput extends InputStream {
    private final long size;
    private final Random random;
    private final MessageDigest digest;
    long produced;

    GeneratedInput(long size, long seed, MessageDigest digest) {
      this.size = size;
      this.random = new Random(seed);
      this.digest = digest;
    }

    @Override
    public int read() {
      var one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (produced == size) {
        return -1;
      }
      // uneven pieces, as a pipe gives them
      int n = (int) Math.min(Math.min(len, 1 + random.nextInt(100_000)), size - produced);
      var piece = new byte[n];
      random.nextBytes(piece);
      System.arraycopy(piece, 0, b, off, n);
      digest.update(piece);
      produced += n;
      return n;
    }
  }

  /** A command running on a thread of its own, its stdin a pipe the test writes into. */
  static final class Background implements AutoCloseable {
    final PipedOutputStream feed = new PipedOutputStream();
    final WatchedOutput out = new WatchedOutput();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    Background(String... args) throws IOException {
      var stdin = new PipedInputStream(feed, 64 * 1024);
      var all = new ArrayList<>(List.of("--url", node.url));
      all.addAll(List.of(args));
      thread = new Thread(() -> exit.complete(Cli.run(all.toArray(String[]::new), stdin, new PrintStream(out, true),
          new PrintStream(err, true), Map.of("HPCFAAS_TOKEN", admin))), "cli");
      thread.start();
    }

    int exitCode() throws Exception {
      return exit.get(120, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
      feed.close();
    }
  }

  /** Output that a test can wait on while the command still runs. */
  static final class WatchedOutput extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
      notifyAll();
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    synchronized boolean awaitContaining(String s, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (!text().contains(s)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }
}
