package org.hpcfaas.transport.artery;

import org.apache.pekko.stream.Materializer;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.GuestParameters;
import org.hpcfaas.core.Payload;

/**
 * One invocation as it travels to a worker: its id, its input, the guest's arguments and environment, and
 * whether the output should stream back as it is written (else it comes back whole, when the function has ended).
 */
public record InvocationRequest(String id, Payload input, GuestParameters guest, boolean streamOutput)
    implements CborSerializable {

  /** A gateway's call as it crosses to the worker: a large or streamed input goes as a stream reference. */
  static InvocationRequest of(Call call, Materializer materializer) {
    var input = call.inputBytes() != null
        ? Payload.of(call.inputBytes(), materializer)
        : Payload.of(call.inputStream(), materializer);
    return new InvocationRequest(call.id(), input, call.guest(), call.streamOutput());
  }

  /** The call as the worker takes it. */
  Call call() {
    return switch (input) {
      case Payload.Inline i -> new Call(id, i.bytes(), null, guest, streamOutput);
      case Payload.Streamed s -> new Call(id, null, s.ref().getSource(), guest, streamOutput);
    };
  }
}
