package org.hpcfaas.bench;

import java.io.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.atomic.*;
import org.hpcfaas.engine.*;

/**
 * How fast a new module speeds up in the engine alone: a warmed engine (another copy of the module run
 * -Dpre times), then a fresh copy compiled, its 1st, 10th and 100th call timed, then two threads calling it
 * for the given seconds, calls per second in 5 s windows. Truffle options as -Dopts=name=value,...; the
 * warm-up as -Dwarm=calls.
 *
 *   java @app/target/graal.argfile -cp 'loadtest/target/hpcfaas-loadtest-0.1.0-SNAPSHOT.jar:loadtest/target/lib/*' \
 *       org.hpcfaas.bench.EngineWarmUp functions-sdk/target/wasm/upper.wasm 30
 */
public final class EngineWarmUp {
  private EngineWarmUp() {}

  public static void main(String[] a) throws Exception {
    var opts = new TreeMap<String, String>();
    for (String kv : System.getProperty("opts", "").split(",")) if (!kv.isBlank()) { var p = kv.split("="); opts.put(p[0], p[1]); }
    int wcalls = Integer.getInteger("warm", 0);
    var engine = new WasmEngine(new EngineSettings(4096, 1024, 1000, 0.125, Files.createTempDirectory("wh"), 1 << 20, opts,
        new WarmUp.Settings(wcalls, java.time.Duration.ofSeconds(5), "warm-up\n")));
    byte[] base = Files.readAllBytes(Path.of(a[0]));
    int secs = Integer.parseInt(a[1]);
    // warm the engine itself with another module
    var other = engine.compile("a".repeat(64), base, 16, 5000);
    for (int i = 0; i < Integer.getInteger("pre", 0); i++) run(engine, other);
    var bos = new ByteArrayOutputStream(); bos.write(base); bos.write(new byte[] {0, 9, 4, 'f', 'r', 'e', 's', 1, 2, 3, (byte) System.nanoTime()});
    var mod = engine.compile("b".repeat(64), bos.toByteArray(), 16, 5000);
    long t0 = System.nanoTime();
    StringBuilder lat = new StringBuilder();
    for (int i = 1; i <= 100; i++) { long s = System.nanoTime(); run(engine, mod); if (i == 1 || i == 10 || i == 100) lat.append(String.format(" #%d=%.2fms", i, (System.nanoTime() - s) / 1e6)); }
    var count = new AtomicLong();
    var stop = new AtomicBoolean();
    Runnable load = () -> { while (!stop.get()) { run(engine, mod); count.incrementAndGet(); } };
    var ts = new Thread[] {new Thread(load), new Thread(load)};
    for (var t : ts) t.start();
    StringBuilder sb = new StringBuilder();
    long prev = 0;
    for (int s = 5; s <= secs; s += 5) { Thread.sleep(5000); long c = count.get(); sb.append(" ").append((c - prev) / 5); prev = c; }
    stop.set(true); for (var t : ts) t.join();
    System.out.println("opts=" + opts + " warm=" + wcalls + lat + " | calls/s per 5s:" + sb);
    System.exit(0);
  }
  static void run(WasmEngine e, CompiledModule m) {
    var out = new ByteArrayOutputStream();
    var o = e.runCommand(m, new Invocation("i", "f", List.of("upper"), Map.of(), List.of(), new ByteArrayInputStream("hello, world".getBytes()), out, 1 << 20), 5000);
    if (!o.succeeded() || !out.toString().equals("HELLO, WORLD")) throw new IllegalStateException(o + " " + out);
  }
}
