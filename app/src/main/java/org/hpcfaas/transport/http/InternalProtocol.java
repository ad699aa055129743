package org.hpcfaas.transport.http;

/**
 * The gateway-to-worker HTTP protocol of {@code mode = http}: {@code POST /internal/v1/run/{function}}
 * with the function's spec, the invocation id and the guest's arguments and environment in headers and the input as
 * body; the answer says whether it completed (body = output, or the failed outcome as JSON) or streams.
 */
final class InternalProtocol {
  static final String PATH = "internal";
  static final String SPEC = "Hpcfaas-Spec";
  static final String KEY = "Hpcfaas-Internal-Key";
  static final String INVOCATION_ID = "Hpcfaas-Invocation-Id";
  static final String GUEST = "Hpcfaas-Guest";
  static final String STREAM_OUTPUT = "Hpcfaas-Stream-Output";
  static final String REPLY = "Hpcfaas-Reply";
  static final String NODE = "Hpcfaas-Node";
  static final String DURATION = "Hpcfaas-Duration-Ms";
  static final String OUTPUT_SIZE = "Hpcfaas-Output-Size";

  /** Values of the {@link #REPLY} header. */
  static final String SUCCEEDED = "succeeded";
  static final String FAILED = "failed";
  static final String STREAMING = "streaming";

  private InternalProtocol() {}
}
