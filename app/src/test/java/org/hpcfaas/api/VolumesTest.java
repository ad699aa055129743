package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volumes the operator configures, mounted by functions, and nothing else of the host reachable. */
class VolumesTest {
  @TempDir
  static Path dir;
  static Path dataset;
  static Path work;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    dataset = Files.createDirectories(dir.resolve("dataset"));
    work = Files.createDirectories(dir.resolve("work"));
    var shared = Files.createDirectories(dir.resolve("shared"));
    Files.writeString(dataset.resolve("input.txt"), "hello dataset\nsecond line\n");
    Files.writeString(dataset.resolve("values.txt"), "3 1 4 1\n5 9 2 6\n");
    Files.writeString(dir.resolve("secret.txt"), "outside every volume\n");
    Files.createSymbolicLink(work.resolve("up"), dir);
    Files.createSymbolicLink(work.resolve("secret"), dir.resolve("secret.txt"));
    node = TestNode.start(dir.resolve("node"), """
        hpcfaas.wasm.scratch-size = 1 MiB
        hpcfaas.volumes {
          dataset { path = "%s", read-only = true }
          work { path = "%s" }
          shared { path = "%s" }
          physics-only { path = "%s", namespaces = ["physics"] }
          elsewhere { path = "%s" }
        }
        """.formatted(dataset, work, shared, work, dir.resolve("not-on-this-node")));
    assertEquals(201, node.deploy("files", TestModules.testFunction("files"),
        "mount=dataset:/data&mount=work:/work&mount=shared:/view:ro").statusCode());
    assertEquals(201, node.deploy("rooted", TestModules.testFunction("files"), "mount=work:/").statusCode());
    assertEquals(201, node.deploy("dataset", TestModules.example("dataset"), "mount=dataset:/data").statusCode());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static List<String> run(String function, String... args) throws Exception {
    var query = new ArrayList<String>();
    for (var a : args) {
      query.add("arg=" + java.net.URLEncoder.encode(a, java.nio.charset.StandardCharsets.UTF_8));
    }
    var r = node.invoke(function, new byte[0], String.join("&", query));
    assertEquals(200, r.statusCode(), () -> text(r));
    return text(r).lines().toList();
  }

  @Test
  void mountsAreShownWithTheFunction() throws Exception {
    var mounts = json(node.get("/v1/functions/files")).get("mounts");
    assertEquals(3, mounts.size(), mounts::toString);
    assertEquals("dataset", mounts.get(0).get("volume").asText());
    assertEquals("/data", mounts.get(0).get("guestPath").asText());
    assertTrue(mounts.get(0).get("readOnly").asBoolean());
    assertEquals(false, mounts.get(1).get("readOnly").asBoolean());
    assertTrue(mounts.get(2).get("readOnly").asBoolean(), ":ro narrows a writable volume");
  }

  @Test
  void aFunctionReadsItsVolumeWritesItsWritableOneAndItsTmp() throws Exception {
    var out = run("files", "read", "/data/input.txt", "list", "/data", "write", "/work/result.txt", "42",
        "write", "/tmp/scratch.txt", "temporary", "read", "/tmp/scratch.txt", "mkdir", "/work/sub");
    assertEquals(List.of("ok 26: hello dataset", "ok input.txt values.txt", "ok", "ok", "ok 9: temporary", "ok"), out);
    assertEquals("42", Files.readString(work.resolve("result.txt")));
    assertTrue(Files.isDirectory(work.resolve("sub")));
    assertEquals(List.of("ok 2: 42"), run("rooted", "read", "/result.txt"), "a volume mounted at /");
  }

  @Test
  void theSdkExampleReadsADatasetFromAVolumeAndWorksInItsTmp() throws Exception {
    assertEquals(List.of("count 8 min 1 max 9 mean 3.875 median 3.5"), run("dataset", "/data/values.txt"));
    assertTrue(Files.notExists(dataset.resolve("sorted.txt")));
  }

  @Test
  void aMissingPathIsEnoentAsCProgramsExpect() throws Exception {
    assertEquals(List.of("errno 44", "errno 44", "errno 44"),
        run("files", "read", "/data/no-such-file", "list", "/work/no-such-dir", "write", "/work/no-such-dir/x", "1"),
        "ENOENT (44 in wasi-libc), where GraalWasm's WASI says EIO");
  }

  @Test
  void readOnlyMountsRefuseWritesWithAnErrnoNotATrap() throws Exception {
    var out = run("files", "write", "/data/new.txt", "x", "write", "/view/new.txt", "x", "mkdir", "/data/d");
    assertEquals(3, out.size(), out::toString);
    out.forEach(line -> assertTrue(line.startsWith("errno "), out::toString));
    assertTrue(Files.notExists(dataset.resolve("new.txt")) && Files.notExists(dir.resolve("shared/new.txt")));
  }

  @Test
  void noPathLeadsOutOfAMount() throws Exception {
    var out = run("files", "read", "/data/../secret.txt", "read", "/data/../../secret.txt", "read",
        dir.resolve("secret.txt").toString(), "read", "/work/up/secret.txt", "read", "/work/secret",
        "write", "/work/up/planted.txt", "x", "list", "/work/up", "read", "/etc/passwd", "read", "../secret.txt");
    assertEquals(9, out.size(), out::toString);
    out.forEach(line -> assertTrue(line.startsWith("errno "), () -> "escaped: " + out));
    assertTrue(Files.notExists(dir.resolve("planted.txt")));
  }

  @Test
  void everyCallGetsAFreshBoundedTmp() throws Exception {
    assertEquals(List.of("ok"), run("files", "write", "/tmp/left-behind", "x"));
    assertEquals(List.of("ok"), run("files", "list", "/tmp"), "the next call sees an empty /tmp");
    var full = run("files", "fill", "/tmp/big", Integer.toString(3 << 20));
    assertTrue(full.get(0).startsWith("errno "), full::toString);
    assertEquals(List.of("ok"), run("files", "fill", "/tmp/fits", Integer.toString(512 << 10)));
  }

  @Test
  void deploysNamingVolumesTheyCannotUseAreRefused() throws Exception {
    var module = TestModules.testFunction("files");
    assertProblem(node.deploy("f", module, "mount=nosuch:/x"), "unknown-volume");
    assertProblem(node.deploy("f", module, "mount=physics-only:/x"), "volume-not-permitted");
    assertProblem(node.deploy("f", module, "mount=dataset:/d:rw"), "invalid-mount");
    assertProblem(node.deploy("f", module, "mount=work:/a&mount=work:/b:ro"), "invalid-mount");
    for (var bad : List.of("work:relative", "work:/tmp", "work:/a/../b", "work:/a//b", "work", "work:/x:rx", "work:/a,b")) {
      assertProblem(node.deploy("f", module, "mount=" + java.net.URLEncoder.encode(bad, java.nio.charset.StandardCharsets.UTF_8)),
          "invalid-mount");
    }
    assertEquals(404, node.get("/v1/functions/f").statusCode(), "no refused deploy took effect");
  }

  @Test
  void aFunctionWhoseVolumeNoWorkerHasIsNotRunAnywhere() throws Exception {
    assertEquals(201, node.deploy("far", TestModules.testFunction("files"), "mount=elsewhere:/e").statusCode());
    var r = node.invoke("far", new byte[0], "");
    assertEquals(503, r.statusCode(), () -> text(r));
    assertTrue(text(r).contains("elsewhere"), () -> text(r));
    var volumes = json(node.get("/v1/cluster")).at("/members/0/volumes");
    assertEquals("[\"dataset\",\"physics-only\",\"shared\",\"work\"]", volumes.toString());
  }

  private static void assertProblem(java.net.http.HttpResponse<byte[]> r, String type) throws Exception {
    assertEquals(400, r.statusCode(), () -> text(r));
    assertEquals("urn:hpcfaas:problem:" + type, json(r).get("type").asText(), () -> text(r));
  }
}
