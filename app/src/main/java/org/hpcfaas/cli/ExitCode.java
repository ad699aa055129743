package org.hpcfaas.cli;

import java.util.Arrays;
import org.hpcfaas.api.ProblemType;

/** The CLI's exit codes: one per kind of failure, so that scripts can tell them apart. */
public enum ExitCode {
  OK(0, "success"),
  USAGE(1, "usage error: unknown option, bad value, missing or unreadable file"),
  UNREACHABLE(2, "cannot reach the node, or the connection broke before it answered"),
  FUNCTION_FAILED(3, "the function failed: function-exit, -trap, -memory-limit, -output-too-large, -failed-mid-stream,"
      + " or a streamed response cut off"),
  NOT_FOUND(4, "not found: function-not-found, not-found, invocation-not-found, map-not-found"),
  REJECTED(5, "rejected: invalid-module, -name, -limits, -request, module-too-large, input-too-large,"
      + " method-not-allowed, client-aborted"),
  AUTH(6, "authentication or rights: unauthorized (401), forbidden (403)"),
  UNAVAILABLE(7, "busy, retry later: function-overloaded, quota-exceeded (429), no-worker, not-durable (503),"
      + " invocation-pending (409)"),
  TIMED_OUT(8, "timed out: function-timeout, worker-timeout (504)"),
  NODE_FAILED(9, "the node failed: runtime-error, or an answer the CLI does not understand");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  public int code() {
    return code;
  }

  /** The exit code of an answer with this problem type; every type is mapped (the switch is exhaustive). */
  static ExitCode of(ProblemType type) {
    return switch (type) {
      case INVALID_MODULE, INVALID_NAME, INVALID_LIMITS, INVALID_REQUEST, INVALID_MOUNT, UNKNOWN_VOLUME,
          VOLUME_NOT_PERMITTED, METHOD_NOT_ALLOWED, MODULE_TOO_LARGE,
          INPUT_TOO_LARGE, CLIENT_ABORTED -> REJECTED;
      case UNAUTHORIZED, FORBIDDEN -> AUTH;
      case FUNCTION_NOT_FOUND, NOT_FOUND, INVOCATION_NOT_FOUND, MAP_NOT_FOUND -> NOT_FOUND;
      case INVOCATION_PENDING, FUNCTION_OVERLOADED, QUOTA_EXCEEDED, NO_WORKER, NOT_DURABLE, NODE_OVERLOADED -> UNAVAILABLE;
      case FUNCTION_EXIT, FUNCTION_TRAP, FUNCTION_MEMORY_LIMIT, FUNCTION_OUTPUT_TOO_LARGE, FUNCTION_FAILED_MID_STREAM ->
          FUNCTION_FAILED;
      case FUNCTION_TIMEOUT, FUNCTION_STALLED, WORKER_TIMEOUT -> TIMED_OUT;
      case RUNTIME_ERROR -> NODE_FAILED;
    };
  }

  /** The exit code of an error answer: by its problem type when the CLI knows it, else by its status. */
  static ExitCode of(String problemType, int status) {
    return Arrays.stream(ProblemType.values()).filter(t -> t.uri().equals(problemType)).findFirst()
        .map(ExitCode::of)
        .orElseGet(() -> switch (status) {
          case 401, 403 -> AUTH;
          case 404, 410 -> NOT_FOUND;
          case 408, 504 -> TIMED_OUT;
          case 409, 429, 502, 503 -> UNAVAILABLE;
          default -> status >= 400 && status < 500 ? REJECTED : NODE_FAILED;
        });
  }

  /** The table printed under {@code --help} and in the README, wrapped to 80 columns. */
  static String table() {
    var out = new StringBuilder();
    for (var e : values()) {
      var line = new StringBuilder("  " + e.code + "  ");
      for (var word : e.meaning.split(" ")) {
        if (line.length() + word.length() + 1 > 79) {
          out.append(line.toString().stripTrailing()).append(System.lineSeparator());
          line = new StringBuilder("     ");
        }
        line.append(word).append(' ');
      }
      out.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
    return out.toString();
  }
}
