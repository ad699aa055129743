package org.hpcfaas.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command that did not succeed: what to tell the user, the exit code, and the node's problem document
 * when there is one (printed as it is with {@code --json}).
 */
final class CallFailed extends Exception {
  private final ExitCode exitCode;
  private final transient JsonNode problem;

  CallFailed(ExitCode exitCode, String message) {
    this(exitCode, message, null);
  }

  CallFailed(ExitCode exitCode, String message, JsonNode problem) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.problem = problem;
  }

  ExitCode exitCode() {
    return exitCode;
  }

  /** The problem document the node answered with, or null. */
  JsonNode problem() {
    return problem;
  }

  /** The failure a problem document describes (RFC 9457: type, title, status, detail, stderr...). */
  static CallFailed ofProblem(String what, int status, JsonNode problem) {
    var type = problem.path("type").asText("");
    var text = new StringBuilder(what).append(": ");
    text.append(problem.path("title").asText("HTTP " + status));
    var detail = problem.path("detail").asText("");
    if (!detail.isEmpty()) {
      text.append(": ").append(detail);
    }
    if (!type.isEmpty()) {
      text.append(" (").append(type.replace("urn:hpcfaas:problem:", "")).append(", HTTP ").append(status).append(')');
    }
    if (problem.hasNonNull("invocationId")) {
      text.append("\n  invocation ").append(problem.get("invocationId").asText());
      if (problem.hasNonNull("node")) {
        text.append(" on ").append(problem.get("node").asText());
      }
    }
    var stderr = problem.path("stderr").asText("");
    if (!stderr.isEmpty()) {
      text.append("\n  its stderr:");
      stderr.lines().forEach(line -> text.append("\n  | ").append(line));
    }
    return new CallFailed(ExitCode.of(type, status), text.toString(), problem);
  }
}
