package org.hpcfaas.engine;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * One call of a function as the engine sees it: its argv (argv[0] first), its environment exactly as the
 * guest gets it, the host directories it may use (preopened in this order, from fd 3; a fresh scratch
 * directory at /tmp comes after them), the streams bound to its stdin and stdout, and how many output
 * bytes it may write ({@code outputLimit < 0}: unlimited), and how it may call other functions.
 */
public record Invocation(
    String id, String function, List<String> argv, Map<String, String> env, List<Preopen> preopens,
    InputStream stdin, OutputStream stdout, long outputLimit, ChildCalls children) {
  /** A call that may not call other functions. */
  public Invocation(String id, String function, List<String> argv, Map<String, String> env, List<Preopen> preopens,
      InputStream stdin, OutputStream stdout, long outputLimit) {
    this(id, function, argv, env, preopens, stdin, stdout, outputLimit, ChildCalls.NONE);
  }
}
