package org.hpcfaas.api;

import static org.hpcfaas.testing.TestNode.json;
import static org.hpcfaas.testing.TestNode.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's Rust and C++ examples, built from source, deployed to a real node and checked against Java. */
class LanguagesTest {
  @TempDir
  static Path data;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(data, "");
    deploy("numberlines", "COMMAND");
    deploy("stats", "REACTOR");
    deploy("wordfreq", "COMMAND");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void deploy(String name, String kind) throws Exception {
    var r = node.deploy(name, TestModules.language(name), "memoryMb=32");
    assertEquals(201, r.statusCode(), () -> text(r));
    assertEquals(kind, json(r).get("kind").asText());
  }

  private static String numbered(String text, long start) {
    var out = new StringBuilder();
    long n = start;
    boolean lineStart = true;
    for (char c : text.toCharArray()) {
      if (lineStart) {
        out.append(String.format("%6d\t", n++));
      }
      out.append(c);
      lineStart = c == '\n';
    }
    return out.toString();
  }

  private static String randomLines(Random random, int lines) {
    var out = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      out.append("line ").append(random.nextInt()).append(" ".repeat(random.nextInt(40))).append('\n');
    }
    return out.append("no newline at the end").toString();
  }

  @Test
  void rustStreamingFilterNumbersLinesAcrossChunks() throws Exception {
    var input = randomLines(new Random(1), 20_000);   // about 600 KiB: many 64 KiB chunks
    assertTrue(input.length() > 10 * 64 * 1024);
    var bulk = node.invoke("numberlines", input.getBytes(StandardCharsets.UTF_8), "");
    assertEquals(200, bulk.statusCode(), () -> text(bulk));
    assertEquals(numbered(input, 1), text(bulk));
    var streamed = node.invoke("numberlines", input.getBytes(StandardCharsets.UTF_8), "transfer=stream&start=1000");
    assertEquals(200, streamed.statusCode(), () -> text(streamed));
    assertEquals(numbered(input, 1000), text(streamed));
    assertEquals("", text(node.invoke("numberlines", "")));
  }

  @Test
  void rustCommandFailsWithItsErrorOnStderr() throws Exception {
    var r = node.invoke("numberlines", "x\n".getBytes(StandardCharsets.UTF_8), "start=many");
    assertEquals(500, r.statusCode());
    assertEquals("urn:hpcfaas:problem:function-exit", json(r).get("type").asText());
    assertTrue(json(r).get("stderr").asText().contains("start is not a number"), () -> text(r));
  }

  @Test
  void rustReactorAnswersEveryCallOfItsWarmInstance() throws Exception {
    var random = new Random(2);
    for (int call = 0; call < 5; call++) {
      long[] xs = LongStream.range(0, 3000 >> call).map(i -> random.nextLong() >> random.nextInt(64)).toArray();
      var input = LongStream.of(xs).mapToObj(Long::toString).collect(Collectors.joining(call % 2 == 0 ? " " : "\n"));
      var sum = LongStream.of(xs).mapToObj(java.math.BigInteger::valueOf).reduce(java.math.BigInteger.ZERO, java.math.BigInteger::add);
      var expected = "count=%d sum=%s min=%d max=%d\n".formatted(xs.length, sum,
          LongStream.of(xs).min().orElseThrow(), LongStream.of(xs).max().orElseThrow());
      var r = node.invoke("stats", input);
      assertEquals(200, r.statusCode(), () -> text(r));
      assertEquals(expected, text(r), "call " + call);
    }
    assertEquals("count=0\n", text(node.invoke("stats", "")));
  }

  @Test
  void rustReactorErrorIsAFunctionErrorAndItsInstanceServesOn() throws Exception {
    var r = node.invoke("stats", "1 2 three 4");
    assertEquals(500, r.statusCode());
    var problem = json(r);
    assertEquals("urn:hpcfaas:problem:function-exit", problem.get("type").asText());
    assertEquals(1, problem.get("exitCode").asInt());
    assertTrue(problem.get("stderr").asText().contains("stats: 'three' is not an integer"), problem::toString);
    assertEquals("count=2 sum=-1 min=-5 max=4\n", text(node.invoke("stats", "4 -5")));
  }

  private static String topWords(String text, int top) {
    var counts = new HashMap<String, Long>();
    for (String word : text.split("[^A-Za-z]+")) {
      if (!word.isEmpty()) {
        counts.merge(word.toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
      }
    }
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .map(e -> e.getValue() + " " + e.getKey() + "\n")
        .collect(Collectors.joining());
  }

  @Test
  void cppWordFrequenciesMatchJava() throws Exception {
    String[] vocabulary = {"Wasm", "pekko", "GRAAL", "node", "Cluster", "function", "hpc", "a", "to", "be"};
    var random = new Random(3);
    var text = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      String w = vocabulary[(int) Math.min(vocabulary.length - 1, Math.abs(random.nextGaussian()) * 3)];
      text.append(random.nextBoolean() ? w : w.toUpperCase(java.util.Locale.ROOT)).append(", .!\n\t-".charAt(random.nextInt(7)));
    }
    var input = text.toString();
    var r = node.invoke("wordfreq", input.getBytes(StandardCharsets.UTF_8), "top=5");
    assertEquals(200, r.statusCode(), () -> text(r));
    assertEquals(topWords(input, 5), text(r));
    assertEquals(topWords("To be, or not to be: that is the question.", 10),
        text(node.invoke("wordfreq", "To be, or not to be: that is the question.")));
  }

  @Test
  void cppCommandExitCodeIsReported() throws Exception {
    var r = node.invoke("wordfreq", "some words".getBytes(StandardCharsets.UTF_8), "top=0");
    assertEquals(500, r.statusCode());
    assertEquals(2, json(r).get("exitCode").asInt());
    assertTrue(json(r).get("stderr").asText().contains("top must be a positive number"), () -> text(r));
  }
}
