package org.hpcfaas.api;

/** The stable problem types of the API; clients match on {@link #uri()}, never on the text. */
public enum ProblemType {
  INVALID_MODULE(400, "Invalid WebAssembly module"),
  INVALID_NAME(400, "Invalid function name"),
  INVALID_LIMITS(400, "Invalid function limits"),
  INVALID_REQUEST(400, "Invalid request"),
  INVALID_MOUNT(400, "Invalid mount"),
  UNKNOWN_VOLUME(400, "Unknown volume"),
  VOLUME_NOT_PERMITTED(400, "Volume not permitted in this namespace"),
  UNAUTHORIZED(401, "Authentication required"),
  FORBIDDEN(403, "Not allowed"),
  FUNCTION_NOT_FOUND(404, "Function not found"),
  NOT_FOUND(404, "Not found"),
  INVOCATION_NOT_FOUND(404, "Invocation not found"),
  MAP_NOT_FOUND(404, "Map not found"),
  METHOD_NOT_ALLOWED(405, "Method not allowed"),
  MODULE_TOO_LARGE(413, "Module too large"),
  INPUT_TOO_LARGE(413, "Input too large"),
  INVOCATION_PENDING(409, "Invocation not finished"),
  FUNCTION_OVERLOADED(429, "Function overloaded"),
  QUOTA_EXCEEDED(429, "Tenant quota exceeded"),
  CLIENT_ABORTED(400, "Client closed the call"),
  FUNCTION_EXIT(500, "Function exited with an error"),
  FUNCTION_TRAP(500, "Function trapped"),
  FUNCTION_MEMORY_LIMIT(500, "Function hit its memory limit"),
  FUNCTION_OUTPUT_TOO_LARGE(500, "Function output too large"),
  FUNCTION_FAILED_MID_STREAM(500, "Function failed after its output began"),
  RUNTIME_ERROR(500, "Runtime error"),
  NO_WORKER(503, "No worker reachable"),
  NOT_DURABLE(503, "Change not stored on a majority of nodes"),
  NODE_OVERLOADED(503, "Node has no memory to spare for the body"),
  FUNCTION_TIMEOUT(504, "Function timed out"),
  FUNCTION_STALLED(504, "Function stalled on its streams"),
  WORKER_TIMEOUT(504, "No answer from a worker in time");

  private final int status;
  private final String title;

  ProblemType(int status, String title) {
    this.status = status;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** For example {@code urn:hpcfaas:problem:function-timeout}. */
  public String uri() {
    return "urn:hpcfaas:problem:" + name().toLowerCase().replace('_', '-');
  }
}
