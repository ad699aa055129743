package org.hpcfaas.core;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * Bytes that travel between gateway and worker: inline when small, otherwise a stream reference, so no
 * message comes near Artery's frame limit whatever the size of an input or output.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({@JsonSubTypes.Type(Payload.Inline.class), @JsonSubTypes.Type(Payload.Streamed.class)})
public sealed interface Payload extends CborSerializable {
  /** Largest payload carried inside a message; anything bigger goes as a stream in chunks of this size. */
  int INLINE_LIMIT = 64 * 1024;

  record Inline(byte[] bytes) implements Payload {}

  record Streamed(SourceRef<ByteString> ref) implements Payload {}

  static Payload of(byte[] bytes, Materializer materializer) {
    if (bytes.length <= INLINE_LIMIT) {
      return new Inline(bytes);
    }
    var whole = ByteString.fromArrayUnsafe(bytes);
    var chunks = Source.range(0, (bytes.length - 1) / INLINE_LIMIT)
        .map(i -> whole.slice(i * INLINE_LIMIT, Math.min(bytes.length, (i + 1) * INLINE_LIMIT)));
    return new Streamed(chunks.runWith(StreamRefs.sourceRef(), materializer));
  }

  static Payload of(Source<ByteString, ?> stream, Materializer materializer) {
    return new Streamed(stream.runWith(StreamRefs.sourceRef(), materializer));
  }

  default Source<ByteString, ?> source() {
    return switch (this) {
      case Inline i -> i.bytes().length == 0 ? Source.empty() : Source.single(ByteString.fromArrayUnsafe(i.bytes()));
      case Streamed s -> s.ref().getSource();
    };
  }
}
