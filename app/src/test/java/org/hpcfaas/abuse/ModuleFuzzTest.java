package org.hpcfaas.abuse;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Deploys a few hundred broken, hostile or merely strange modules to a real node. Each deploy must be a 400
 * problem ({@code invalid-module} or {@code invalid-limits}) or a working deploy; a working deploy must then
 * run or fail as the function's fault ({@code function-*} problems), never as a runtime error, never hang.
 * The node stays healthy, and a function deployed before the fuzzing still answers, unchanged.
 *
 * <p>The inputs come from a fixed seed ({@code -Dhpcfaas.fuzz.seed=N} picks another), printed with the
 * summary, so that a failure reproduces.
 */
class ModuleFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = Long.getLong("hpcfaas.fuzz.seed", 20261129L);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final String PROBLEM = "urn:hpcfaas:problem:";

  @TempDir
  Path data;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One fuzz input: what it is (for the report), the module, and the deploy's query. */
  record Input(String label, byte[] module, String query) {}

  @Test
  void fuzzedModulesAreRejectedWith400OrDeployAndRunAndNeverHurtTheNode() throws Exception {
    var inputs = inputs(new Random(SEED));
    var errors = new ListAppender<ILoggingEvent>();
    var root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    try (var node = TestNode.start(data, "")) {
      assertEquals(201, node.deploy("echo", TestModules.example("echo"), "memoryMb=16&concurrency=2").statusCode());
      assertEquals("before", TestNode.text(node.invoke("echo", "before")));
      JsonNode echoBefore = TestNode.json(node.get("/v1/functions/echo"));

      errors.start();
      root.addAppender(errors);
      int rejected = 0;
      int deployed = 0;
      int ran = 0;
      int functionErrors = 0;
      var crashes = new ArrayList<String>();
      var deployFailureTypes = new java.util.TreeMap<String, Integer>();
      for (int i = 0; i < inputs.size(); i++) {
        var input = inputs.get(i);
        String name = "fuzz-" + i;
        String where = "#" + i + " " + input.label() + " (" + input.module().length + " bytes, ?" + input.query() + ")";
        try {
          var deploy = send(node, HttpRequest.newBuilder(uri(node, "/v1/functions/" + name + "?" + input.query()))
              .PUT(HttpRequest.BodyPublishers.ofByteArray(input.module())));
          int status = deploy.statusCode();
          if (status == 400) {
            String type = problemType(deploy);
            if (type.equals(PROBLEM + "invalid-module") || type.equals(PROBLEM + "invalid-limits")) {
              rejected++;
              deployFailureTypes.merge(type.substring(PROBLEM.length()), 1, Integer::sum);
            } else {
              crashes.add(where + ": deploy 400 of type " + type + ": " + body(deploy));
            }
          } else if (status == 200 || status == 201) {
            deployed++;
            var call = send(node, HttpRequest.newBuilder(uri(node, "/v1/functions/" + name + "/invoke"))
                .POST(HttpRequest.BodyPublishers.ofString("fuzz input\n")));
            if (call.statusCode() == 200) {
              ran++;
            } else if (problemType(call).startsWith(PROBLEM + "function-")) {
              functionErrors++;
            } else {
              crashes.add(where + ": deployed, then invoke " + call.statusCode() + ": " + body(call));
            }
            var removed = send(node, HttpRequest.newBuilder(uri(node, "/v1/functions/" + name)).DELETE());
            if (removed.statusCode() != 204) {
              crashes.add(where + ": delete answered " + removed.statusCode() + ": " + body(removed));
            }
          } else {
            crashes.add(where + ": deploy answered " + status + ": " + body(deploy));
          }
        } catch (java.net.http.HttpTimeoutException e) {
          crashes.add(where + ": no answer within " + REQUEST_TIMEOUT.toSeconds() + " s (hang)");
        } catch (java.io.IOException e) {
          crashes.add(where + ": connection failed: " + e);
        }
        if (i % 25 == 24 && node.get("/health").statusCode() != 200) {
          crashes.add("after " + where + ": /health is not 200");
        }
      }
      root.detachAppender(errors);

      System.out.printf("ModuleFuzzTest seed=%d inputs=%d rejected400=%d %s deploys=%d ranOk=%d functionErrors=%d"
              + " crashes=%d errorLogLines=%d%n", SEED, inputs.size(), rejected, deployFailureTypes, deployed,
          ran, functionErrors, crashes.size(), errors.list.size());
      crashes.forEach(c -> System.out.println("  CRASH " + c));
      errors.list.stream().map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).distinct().limit(20)
          .forEach(l -> System.out.println("  ERROR LOG " + l.lines().findFirst().orElse("")));

      var after = node.invoke("echo", "after the fuzzing");
      var names = new ArrayList<String>();
      TestNode.json(node.get("/v1/functions")).forEach(f -> names.add(f.get("name").asText()));
      var echoAfter = TestNode.json(node.get("/v1/functions/echo"));
      int health = node.get("/health").statusCode();
      assertAll(
          () -> assertTrue(crashes.isEmpty(), () -> crashes.size() + " crash(es), seed " + SEED + ":\n" + String.join("\n", crashes)),
          () -> assertEquals(200, health, "the node is healthy"),
          () -> assertEquals(200, after.statusCode(), () -> TestNode.text(after)),
          () -> assertEquals("after the fuzzing", TestNode.text(after)),
          () -> assertEquals(echoBefore, echoAfter, "echo's metadata is unchanged"),
          () -> assertEquals(List.of("echo"), names, "every fuzz deploy was rejected or deleted again"));
    }
  }

  @Test
  void aSuccessfulCallWithNoOutputIs200WithAnEmptyBody() throws Exception {
    try (var node = TestNode.start(data, "")) {
      assertEquals(201, node.deploy("echo", TestModules.example("echo"), "").statusCode());
      assertEquals(201, node.deploy("nothing", TestModules.emptyCommand(1), "").statusCode());
      for (var name : List.of("echo", "nothing")) {
        var r = node.invoke(name, "");
        assertEquals(200, r.statusCode(), () -> name + ": " + TestNode.text(r));
        assertEquals(0, r.body().length);
      }
    }
  }

  @Test
  void aModuleWhoseEntryPointIsNotAFunctionOfTheRightSignatureIsRejectedAtDeploy() throws Exception {
    try (var node = TestNode.start(data, "")) {
      var cases = handmade().stream()
          .filter(i -> List.of("_start is a global", "_start is the memory", "_start takes an i32", "hpcfaas_handle is a global",
              "hpcfaas_handle returns nothing", "hpcfaas_handle takes two i64").contains(i.label()))
          .toList();
      assertEquals(6, cases.size());
      for (var c : cases) {
        var r = node.deploy("entry", c.module(), c.query());
        assertEquals(400, r.statusCode(), () -> c.label() + ": " + TestNode.text(r));
        assertEquals(PROBLEM + "invalid-module", problemType(r), c.label());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // The inputs

  static List<Input> inputs(Random rnd) {
    var bases = new ArrayList<Input>();
    bases.add(new Input("echo", TestModules.example("echo"), ""));
    bases.add(new Input("upper", TestModules.example("upper"), ""));
    bases.add(new Input("greet (reactor)", TestModules.example("greet"), ""));
    bases.add(new Input("trap", TestModules.testFunction("trap"), ""));
    bases.add(new Input("fail", TestModules.testFunction("fail"), ""));
    bases.add(new Input("emptyCommand", TestModules.emptyCommand(1), ""));
    bases.add(new Input("handmade", Wasm.command(Wasm.body(new byte[0])), ""));

    var out = new ArrayList<Input>();
    String q = "timeoutMs=1000&memoryMb=16";
    for (int i = 0; i < 60; i++) {
      var b = pick(rnd, bases);
      var m = b.module().clone();
      int flips = 1 + rnd.nextInt(8);
      for (int f = 0; f < flips; f++) {
        int at = 8 + rnd.nextInt(m.length - 8);
        m[at] ^= (byte) (1 << rnd.nextInt(8));
      }
      out.add(new Input(b.label() + ": " + flips + " bit flip(s)", m, q));
    }
    for (int i = 0; i < 30; i++) {
      var b = pick(rnd, bases);
      int at = 8 + rnd.nextInt(b.module().length - 7);
      var extra = new byte[1 + rnd.nextInt(16)];
      rnd.nextBytes(extra);
      out.add(new Input(b.label() + ": " + extra.length + " byte(s) inserted at " + at,
          Wasm.cat(Arrays.copyOfRange(b.module(), 0, at), extra, Arrays.copyOfRange(b.module(), at, b.module().length)), q));
    }
    for (int i = 0; i < 30; i++) {
      var b = pick(rnd, bases);
      int at = 8 + rnd.nextInt(b.module().length - 8);
      int n = Math.min(1 + rnd.nextInt(32), b.module().length - at);
      out.add(new Input(b.label() + ": " + n + " byte(s) deleted at " + at,
          Wasm.cat(Arrays.copyOfRange(b.module(), 0, at), Arrays.copyOfRange(b.module(), at + n, b.module().length)), q));
    }
    for (int i = 0; i < 30; i++) {
      var b = pick(rnd, bases);
      int at = rnd.nextInt(b.module().length);
      out.add(new Input(b.label() + ": truncated to " + at + " bytes", Arrays.copyOf(b.module(), at), q));
    }
    long[] sizes = {0xFFFFFFFFL, 0x7FFFFFFFL, 0x10000000L, -1, -2, -3};
    for (int i = 0; i < 30; i++) {
      var b = pick(rnd, bases);
      var sections = Wasm.sections(b.module());
      var s = sections.get(rnd.nextInt(sections.size()));
      long pickSize = sizes[rnd.nextInt(sizes.length)];
      long size = switch ((int) pickSize) {
        case -1 -> s.size() + 1 + rnd.nextInt(100);
        case -2 -> Math.max(0, s.size() - 1 - rnd.nextInt(10));
        case -3 -> s.size(); // the same size as a redundant 5-byte LEB128: still valid
        default -> pickSize;
      };
      out.add(new Input(b.label() + ": section " + s.id() + " size " + s.size() + " -> " + size + " (5-byte LEB)",
          Wasm.cat(Arrays.copyOfRange(b.module(), 0, s.sizeStart()), Wasm.leb5(size),
              Arrays.copyOfRange(b.module(), s.start(), b.module().length)), q));
    }
    for (int i = 0; i < 20; i++) {
      var b = pick(rnd, bases);
      var sections = Wasm.sections(b.module());
      var s = sections.get(rnd.nextInt(sections.size()));
      var copy = Arrays.copyOfRange(b.module(), s.headerStart(), s.end());
      boolean atEnd = rnd.nextBoolean();
      var m = atEnd ? Wasm.cat(b.module(), copy)
          : Wasm.cat(Arrays.copyOfRange(b.module(), 0, s.end()), copy, Arrays.copyOfRange(b.module(), s.end(), b.module().length));
      out.add(new Input(b.label() + ": section " + s.id() + " duplicated " + (atEnd ? "at the end" : "in place"), m, q));
    }
    for (int i = 0; i < 20; i++) {
      var b = pick(rnd, bases);
      var sections = Wasm.sections(b.module());
      if (sections.size() < 2) {
        continue;
      }
      int x = rnd.nextInt(sections.size());
      int y = rnd.nextInt(sections.size());
      if (x == y) {
        y = (x + 1) % sections.size();
      }
      var order = new ArrayList<>(sections);
      var sx = order.get(x);
      order.set(x, order.get(y));
      order.set(y, sx);
      var m = new ByteArrayOutputStream();
      m.write(b.module(), 0, 8);
      for (var s : order) {
        m.write(b.module(), s.headerStart(), s.end() - s.headerStart());
      }
      out.add(new Input(b.label() + ": sections " + sx.id() + " and " + order.get(x).id() + " swapped", m.toByteArray(), q));
    }
    for (int i = 0; i < 20; i++) {
      var m = new byte[rnd.nextInt(4096)];
      rnd.nextBytes(m);
      out.add(new Input("random bytes", m, q));
    }
    for (int i = 0; i < 10; i++) {
      var m = new byte[4 + rnd.nextInt(64)];
      rnd.nextBytes(m);
      out.add(new Input("\\0asm then random bytes", Wasm.cat(new byte[] {0, 'a', 's', 'm'}, m), q));
    }
    for (int i = 0; i < 20; i++) {
      var m = new byte[rnd.nextInt(2048)];
      rnd.nextBytes(m);
      out.add(new Input("valid header then garbage", Wasm.cat(Wasm.HEADER, m), q));
    }
    for (int id = 0; id <= 12; id++) {
      out.add(new Input("section " + id + " declaring 0xFFFFFFFF bytes",
          Wasm.cat(Wasm.HEADER, new byte[] {(byte) id}, Wasm.leb5(0xFFFFFFFFL), new byte[] {1, 2, 3}), q));
    }
    out.addAll(handmade());
    return out;
  }

  /** Modules built by hand: memory limits, nesting, counts, odd exports and imports, start functions. */
  private static List<Input> handmade() {
    var out = new ArrayList<Input>();
    String q = "timeoutMs=1000&memoryMb=16";
    var empty = Wasm.body(new byte[0]);
    // memory
    out.add(new Input("memory min 65536 pages (4 GiB), default limit", TestModules.emptyCommand(65536), "timeoutMs=1000"));
    out.add(new Input("memory min 65536 pages (4 GiB), memoryMb=1024", TestModules.emptyCommand(65536), "memoryMb=1024"));
    out.add(new Input("memory min 65537 pages (above wasm32)", TestModules.emptyCommand(65537), q));
    out.add(new Input("memory min 2^24 pages", TestModules.emptyCommand(1 << 24), q));
    out.add(new Input("memory min 0xFFFFFFFF pages", Wasm.commandWithMemory(Wasm.cat(new byte[] {0}, Wasm.leb(0xFFFFFFFFL)), empty), q));
    out.add(new Input("memory max below min", Wasm.commandWithMemory(new byte[] {1, 10, 2}, empty), q));
    out.add(new Input("memory max 0xFFFFFFFF", Wasm.commandWithMemory(Wasm.cat(new byte[] {1, 1}, Wasm.leb(0xFFFFFFFFL)), empty), q));
    out.add(new Input("shared memory", Wasm.commandWithMemory(new byte[] {3, 1, 2}, empty), q));
    out.add(new Input("memory64", Wasm.commandWithMemory(new byte[] {4, 1}, empty), q));
    out.add(new Input("limits flags 0x7f", Wasm.commandWithMemory(new byte[] {0x7f, 1}, empty), q));
    out.add(new Input("two memories", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.section(5, Wasm.cat(new byte[] {2}, new byte[] {0, 1}, new byte[] {0, 1})),
        Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("memory min exactly at the cap (256 pages, 16 MiB)", TestModules.emptyCommand(256), q));
    out.add(new Input("memory min 8192 pages (512 MiB), memoryMb=512", TestModules.emptyCommand(8192), "timeoutMs=5000&memoryMb=512"));
    out.add(new Input("memory min 1 page above the cap", TestModules.emptyCommand(257), q));
    out.add(new Input("memoryMb=0", TestModules.emptyCommand(1), "memoryMb=0"));
    out.add(new Input("memoryMb=-1", TestModules.emptyCommand(1), "memoryMb=-1"));
    out.add(new Input("memoryMb=2^31", TestModules.emptyCommand(1), "memoryMb=2147483648"));
    out.add(new Input("timeoutMs=0", TestModules.emptyCommand(1), "timeoutMs=0"));
    out.add(new Input("timeoutMs=Long.MAX", TestModules.emptyCommand(1), "timeoutMs=9223372036854775807"));
    out.add(new Input("concurrency=0", TestModules.emptyCommand(1), "concurrency=0"));
    out.add(new Input("concurrency=abc", TestModules.emptyCommand(1), "concurrency=abc"));
    // nesting and counts
    for (int depth : new int[] {1_000, 10_000, 100_000}) {
      var blocks = new ByteArrayOutputStream();
      for (int i = 0; i < depth; i++) {
        blocks.write(0x02);
        blocks.write(0x40);
      }
      for (int i = 0; i < depth; i++) {
        blocks.write(0x0b);
      }
      out.add(new Input(depth + " nested blocks", Wasm.command(Wasm.body(blocks.toByteArray())), q));
      var open = new ByteArrayOutputStream();
      for (int i = 0; i < depth; i++) {
        open.write(0x02);
        open.write(0x40);
      }
      out.add(new Input(depth + " nested blocks never closed", Wasm.command(Wasm.body(open.toByteArray())), q));
    }
    var ifs = new ByteArrayOutputStream();
    for (int i = 0; i < 20_000; i++) {
      ifs.writeBytes(new byte[] {0x41, 0x01, 0x04, 0x40});   // i32.const 1; if
    }
    for (int i = 0; i < 20_000; i++) {
      ifs.write(0x0b);
    }
    out.add(new Input("20000 nested ifs", Wasm.command(Wasm.body(ifs.toByteArray())), q));
    var pushes = new ByteArrayOutputStream();
    for (int i = 0; i < 100_000; i++) {
      pushes.writeBytes(new byte[] {0x41, 0x00});            // i32.const 0, never dropped
    }
    out.add(new Input("100000 values left on the stack", Wasm.command(Wasm.body(pushes.toByteArray())), q));
    for (int n : new int[] {10_000, 50_000}) {
      var bodies = new byte[n][];
      Arrays.fill(bodies, empty);
      out.add(new Input(n + " functions", Wasm.module(Wasm.typeSection(), Wasm.funcSection(n), Wasm.memorySection(1),
          Wasm.exportStart(0), Wasm.codeSection(bodies)), q));
    }
    out.add(new Input("function section declares 0xFFFFFFFF functions", Wasm.module(Wasm.typeSection(),
        Wasm.section(3, Wasm.cat(Wasm.leb(0xFFFFFFFFL), new byte[] {0})), Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("type section declares 0xFFFFFFFF types", Wasm.module(
        Wasm.section(1, Wasm.cat(Wasm.leb(0xFFFFFFFFL), new byte[] {0x60, 0, 0})), Wasm.funcSection(1),
        Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("export section declares 0xFFFFFFFF exports", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.section(7, Wasm.cat(Wasm.leb(0xFFFFFFFFL), Wasm.name("_start"), new byte[] {0, 0})), Wasm.codeSection(empty)), q));
    out.add(new Input("50000 i32 locals", Wasm.command(Wasm.cat(Wasm.leb(1), Wasm.leb(50_000), new byte[] {0x7f, 0x0b})), q));
    out.add(new Input("0xFFFFFFFF i32 locals", Wasm.command(Wasm.cat(Wasm.leb(1), Wasm.leb(0xFFFFFFFFL), new byte[] {0x7f, 0x0b})), q));
    out.add(new Input("2 x 0x7FFFFFFF locals", Wasm.command(Wasm.cat(Wasm.leb(2), Wasm.leb(0x7FFFFFFFL), new byte[] {0x7f},
        Wasm.leb(0x7FFFFFFFL), new byte[] {0x7e, 0x0b})), q));
    out.add(new Input("export name of 0xFFFFFFFF bytes", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.section(7, Wasm.cat(Wasm.leb(1), Wasm.leb(0xFFFFFFFFL), "_start".getBytes(StandardCharsets.UTF_8))),
        Wasm.codeSection(empty)), q));
    out.add(new Input("export name not UTF-8", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.section(7, Wasm.cat(Wasm.leb(2), Wasm.name("_start"), new byte[] {0, 0}, new byte[] {2, (byte) 0xff, (byte) 0xfe, 0, 0})),
        Wasm.codeSection(empty)), q));
    out.add(new Input("_start exported twice", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.section(7, Wasm.cat(Wasm.leb(2), Wasm.name("_start"), new byte[] {0, 0}, Wasm.name("_start"), new byte[] {0, 0})),
        Wasm.codeSection(empty)), q));
    out.add(new Input("data segment of 64 KiB at offset 0xFFFFFFF0", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.memorySection(1), Wasm.exportStart(0), Wasm.codeSection(empty),
        Wasm.section(11, Wasm.cat(Wasm.leb(1), new byte[] {0, 0x41}, Wasm.sleb(-16), new byte[] {0x0b},
            Wasm.leb(65536), new byte[65536]))), q));
    out.add(new Input("custom section of 1 MiB", Wasm.cat(TestModules.emptyCommand(1),
        Wasm.section(0, Wasm.cat(Wasm.name("x"), new byte[1 << 20]))), q));
    out.add(new Input("custom section with a name longer than the section", Wasm.cat(TestModules.emptyCommand(1),
        new byte[] {0, 3}, Wasm.leb(100), new byte[] {'a', 'b'}), q));
    // start functions, exports of the wrong kind or signature, imports
    out.add(new Input("start function loops forever", Wasm.module(Wasm.typeSection(), Wasm.funcSection(2), Wasm.memorySection(1),
        Wasm.exportStart(1), Wasm.section(8, Wasm.leb(0)),
        Wasm.codeSection(Wasm.body(new byte[] {0x03, 0x40, 0x0c, 0x00, 0x0b}), empty)), q));
    out.add(new Input("start function traps", Wasm.module(Wasm.typeSection(), Wasm.funcSection(2), Wasm.memorySection(1),
        Wasm.exportStart(1), Wasm.section(8, Wasm.leb(0)), Wasm.codeSection(Wasm.body(new byte[] {0x00}), empty)), q));
    out.add(new Input("start function index out of range", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.memorySection(1), Wasm.exportStart(0), Wasm.section(8, Wasm.leb(99)), Wasm.codeSection(empty)), q));
    out.add(new Input("_start recurses forever", Wasm.command(Wasm.body(new byte[] {0x10, 0x00})), q));
    out.add(new Input("_start loops forever", Wasm.command(Wasm.body(new byte[] {0x03, 0x40, 0x0c, 0x00, 0x0b})), q));
    out.add(new Input("_start traps", Wasm.command(Wasm.body(new byte[] {0x00})), q));
    out.add(new Input("_start divides by zero", Wasm.command(Wasm.body(new byte[] {0x41, 1, 0x41, 0, 0x6d, 0x1a})), q));
    out.add(new Input("_start reads out of bounds", Wasm.command(Wasm.body(new byte[] {0x41, 0x7f, 0x28, 2, 0, 0x1a})), q));
    out.add(new Input("_start grows memory by 65536 pages", Wasm.command(Wasm.body(
        Wasm.cat(new byte[] {0x41}, Wasm.sleb(65536), new byte[] {0x40, 0x00, 0x1a}))), q));
    out.add(new Input("_start is a global", Wasm.module(Wasm.memorySection(1),
        Wasm.section(6, new byte[] {1, 0x7f, 0x00, 0x41, 0x00, 0x0b}),
        Wasm.section(7, Wasm.cat(Wasm.leb(1), Wasm.name("_start"), new byte[] {3, 0}))), q));
    out.add(new Input("_start is the memory", Wasm.module(Wasm.memorySection(1),
        Wasm.section(7, Wasm.cat(Wasm.leb(1), Wasm.name("_start"), new byte[] {2, 0}))), q));
    out.add(new Input("_start takes an i32", Wasm.module(
        Wasm.section(1, new byte[] {1, 0x60, 1, 0x7f, 0}), Wasm.funcSection(1), Wasm.memorySection(1),
        Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("_start returns an i64", Wasm.module(
        Wasm.section(1, new byte[] {1, 0x60, 0, 1, 0x7e}), Wasm.funcSection(1), Wasm.memorySection(1),
        Wasm.exportStart(0), Wasm.codeSection(Wasm.body(new byte[] {0x42, 0x05}))), q));
    out.add(new Input("hpcfaas_handle is a global", Wasm.module(Wasm.memorySection(1),
        Wasm.section(6, new byte[] {1, 0x7f, 0x00, 0x41, 0x00, 0x0b}),
        Wasm.section(7, Wasm.cat(Wasm.leb(1), Wasm.name("hpcfaas_handle"), new byte[] {3, 0}))), q));
    out.add(new Input("hpcfaas_handle returns nothing", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.memorySection(1), Wasm.section(7, Wasm.cat(Wasm.leb(1), Wasm.name("hpcfaas_handle"), new byte[] {0, 0})),
        Wasm.codeSection(empty)), q));
    out.add(new Input("hpcfaas_handle takes two i64", Wasm.module(
        Wasm.section(1, new byte[] {1, 0x60, 2, 0x7e, 0x7e, 1, 0x7f}), Wasm.funcSection(1), Wasm.memorySection(1),
        Wasm.section(7, Wasm.cat(Wasm.leb(1), Wasm.name("hpcfaas_handle"), new byte[] {0, 0})),
        Wasm.codeSection(Wasm.body(new byte[] {0x41, 0x00}))), q));
    out.add(new Input("_initialize is a global", Wasm.module(
        Wasm.section(1, new byte[] {1, 0x60, 0, 1, 0x7f}), Wasm.funcSection(1), Wasm.memorySection(1),
        Wasm.section(6, new byte[] {1, 0x7f, 0x00, 0x41, 0x00, 0x0b}),
        Wasm.section(7, Wasm.cat(Wasm.leb(2), Wasm.name("hpcfaas_handle"), new byte[] {0, 0}, Wasm.name("_initialize"), new byte[] {3, 0})),
        Wasm.codeSection(Wasm.body(new byte[] {0x41, 0x00}))), q));
    out.add(new Input("_initialize traps", Wasm.module(
        Wasm.section(1, new byte[] {2, 0x60, 0, 1, 0x7f, 0x60, 0, 0}), Wasm.section(3, new byte[] {2, 0, 1}), Wasm.memorySection(1),
        Wasm.section(7, Wasm.cat(Wasm.leb(2), Wasm.name("hpcfaas_handle"), new byte[] {0, 0}, Wasm.name("_initialize"), new byte[] {0, 1})),
        Wasm.codeSection(Wasm.body(new byte[] {0x41, 0x00}), Wasm.body(new byte[] {0x00}))), q));
    out.add(new Input("imports env.foo", Wasm.module(Wasm.typeSection(),
        Wasm.section(2, Wasm.cat(Wasm.leb(1), Wasm.name("env"), Wasm.name("foo"), new byte[] {0, 0})),
        Wasm.funcSection(1), Wasm.memorySection(1), Wasm.exportStart(1), Wasm.codeSection(empty)), q));
    out.add(new Input("imports fd_write with the wrong signature", Wasm.module(Wasm.typeSection(),
        Wasm.section(2, Wasm.cat(Wasm.leb(1), Wasm.name("wasi_snapshot_preview1"), Wasm.name("fd_write"), new byte[] {0, 0})),
        Wasm.funcSection(1), Wasm.memorySection(1), Wasm.exportStart(1),
        Wasm.codeSection(Wasm.body(new byte[] {0x10, 0x00}))), q));
    out.add(new Input("imports a WASI function that does not exist", Wasm.module(Wasm.typeSection(),
        Wasm.section(2, Wasm.cat(Wasm.leb(1), Wasm.name("wasi_snapshot_preview1"), Wasm.name("no_such_call"), new byte[] {0, 0})),
        Wasm.funcSection(1), Wasm.memorySection(1), Wasm.exportStart(1), Wasm.codeSection(empty)), q));
    out.add(new Input("imports its memory", Wasm.module(Wasm.typeSection(),
        Wasm.section(2, Wasm.cat(Wasm.leb(1), Wasm.name("env"), Wasm.name("memory"), new byte[] {2, 0, 1})),
        Wasm.funcSection(1), Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("imports a table and a global", Wasm.module(Wasm.typeSection(),
        Wasm.section(2, Wasm.cat(Wasm.leb(2), Wasm.name("env"), Wasm.name("t"), new byte[] {1, 0x70, 0, 1},
            Wasm.name("env"), Wasm.name("g"), new byte[] {3, 0x7f, 0})),
        Wasm.funcSection(1), Wasm.memorySection(1), Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("table of 0xFFFFFFFF elements", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.section(4, Wasm.cat(new byte[] {1, 0x70, 0}, Wasm.leb(0xFFFFFFFFL))), Wasm.memorySection(1),
        Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("table of 10 million elements", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1),
        Wasm.section(4, Wasm.cat(new byte[] {1, 0x70, 0}, Wasm.leb(10_000_000))), Wasm.memorySection(1),
        Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("code section with fewer bodies than functions", Wasm.module(Wasm.typeSection(), Wasm.funcSection(3),
        Wasm.memorySection(1), Wasm.exportStart(0), Wasm.codeSection(empty)), q));
    out.add(new Input("body size beyond the section", Wasm.module(Wasm.typeSection(), Wasm.funcSection(1), Wasm.memorySection(1),
        Wasm.exportStart(0), Wasm.section(10, Wasm.cat(Wasm.leb(1), Wasm.leb(1000), new byte[] {0, 0x0b}))), q));
    out.add(new Input("no sections at all", Wasm.HEADER.clone(), q));
    out.add(new Input("version 2", new byte[] {0, 'a', 's', 'm', 2, 0, 0, 0}, q));
    out.add(new Input("empty body", new byte[0], q));
    return out;
  }

  private static <T> T pick(Random rnd, List<T> list) {
    return list.get(rnd.nextInt(list.size()));
  }

  // ---------------------------------------------------------------------------------------------------
  // HTTP

  private HttpResponse<byte[]> send(TestNode node, HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static URI uri(TestNode node, String path) {
    return URI.create(node.url + path);
  }

  /** The problem's type, or a description of why the answer is not a problem. */
  private static String problemType(HttpResponse<byte[]> response) {
    if (!response.headers().firstValue("Content-Type").orElse("").equals("application/problem+json")) {
      return "(not problem+json: " + response.headers().firstValue("Content-Type").orElse("no content type") + ")";
    }
    try {
      var problem = JSON.readTree(response.body());
      return problem.path("status").asInt() == response.statusCode() ? problem.path("type").asText()
          : "(status " + problem.path("status") + " in a " + response.statusCode() + " problem)";
    } catch (java.io.IOException e) {
      return "(unparsable problem)";
    }
  }

  private static String body(HttpResponse<byte[]> response) {
    var text = new String(response.body(), StandardCharsets.UTF_8);
    return text.length() > 400 ? text.substring(0, 400) + "..." : text;
  }

  // ---------------------------------------------------------------------------------------------------
  // A little WebAssembly assembler

  /** Sections and modules as bytes; enough of the binary format to write the cases above by hand. */
  static final class Wasm {
    static final byte[] HEADER = {0, 'a', 's', 'm', 1, 0, 0, 0};

    /** Where one section of a module lies: its id byte, its size field and its body. */
    record Section(int id, int headerStart, int sizeStart, int start, int end) {
      long size() {
        return end - start;
      }
    }

    static List<Section> sections(byte[] module) {
      var out = new ArrayList<Section>();
      int pos = 8;
      while (pos < module.length) {
        int headerStart = pos;
        int id = module[pos++] & 0xff;
        int sizeStart = pos;
        long size = 0;
        int shift = 0;
        int b;
        do {
          b = module[pos++] & 0xff;
          size |= (long) (b & 0x7f) << shift;
          shift += 7;
        } while ((b & 0x80) != 0);
        int start = pos;
        pos = start + (int) size;
        out.add(new Section(id, headerStart, sizeStart, start, pos));
      }
      return out;
    }

    static byte[] cat(byte[]... parts) {
      var out = new ByteArrayOutputStream();
      for (var p : parts) {
        out.writeBytes(p);
      }
      return out.toByteArray();
    }

    static byte[] leb(long value) {
      var out = new ByteArrayOutputStream();
      do {
        int b = (int) (value & 0x7f);
        value >>>= 7;
        out.write(value != 0 ? b | 0x80 : b);
      } while (value != 0);
      return out.toByteArray();
    }

    /** An unsigned LEB128 padded to 5 bytes (a valid, if redundant, encoding of any u32). */
    static byte[] leb5(long value) {
      var out = new byte[5];
      for (int i = 0; i < 5; i++) {
        out[i] = (byte) ((value >>> (7 * i)) & 0x7f | (i < 4 ? 0x80 : 0));
      }
      return out;
    }

    static byte[] sleb(long value) {
      var out = new ByteArrayOutputStream();
      boolean more = true;
      while (more) {
        int b = (int) (value & 0x7f);
        value >>= 7;
        if ((value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0)) {
          more = false;
        } else {
          b |= 0x80;
        }
        out.write(b);
      }
      return out.toByteArray();
    }

    static byte[] name(String s) {
      var bytes = s.getBytes(StandardCharsets.UTF_8);
      return cat(leb(bytes.length), bytes);
    }

    static byte[] section(int id, byte[] body) {
      return cat(new byte[] {(byte) id}, leb(body.length), body);
    }

    static byte[] module(byte[]... sections) {
      return cat(HEADER, cat(sections));
    }

    /** One type: () -> (). */
    static byte[] typeSection() {
      return section(1, new byte[] {1, 0x60, 0, 0});
    }

    /** {@code n} functions of type 0. */
    static byte[] funcSection(int n) {
      var out = new ByteArrayOutputStream();
      out.writeBytes(leb(n));
      for (int i = 0; i < n; i++) {
        out.write(0);
      }
      return section(3, out.toByteArray());
    }

    static byte[] memorySection(int minPages) {
      return section(5, cat(new byte[] {1, 0}, leb(minPages)));
    }

    static byte[] exportStart(int function) {
      return section(7, cat(leb(1), name("_start"), new byte[] {0}, leb(function)));
    }

    static byte[] codeSection(byte[]... bodies) {
      var out = new ByteArrayOutputStream();
      out.writeBytes(leb(bodies.length));
      for (var b : bodies) {
        out.writeBytes(leb(b.length));
        out.writeBytes(b);
      }
      return section(10, out.toByteArray());
    }

    /** A function body without locals: {@code code} then {@code end}. */
    static byte[] body(byte[] code) {
      return cat(new byte[] {0}, code, new byte[] {0x0b});
    }

    /** A command: one function of type () -> (), exported as _start, whose body (with its locals) is given. */
    static byte[] command(byte[] body) {
      return module(typeSection(), funcSection(1), memorySection(1), exportStart(0), codeSection(body));
    }

    /** A command whose memory section holds one memory with the given limits bytes (flags, min[, max]). */
    static byte[] commandWithMemory(byte[] limits, byte[] body) {
      return module(typeSection(), funcSection(1), section(5, cat(new byte[] {1}, limits)), exportStart(0), codeSection(body));
    }
  }
}
