package org.hpcfaas.api;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** A body of bytes: empty, of a known size as it streams, or chunked when its size is unknown (negative). */
final class Entities {
  private Entities() {}

  static ResponseEntity octets(long size, Source<ByteString, ?> data) {
    return size == 0 ? HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, new byte[0])
        : size > 0 ? HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, size, data)
        : HttpEntities.createChunked(ContentTypes.APPLICATION_OCTET_STREAM, data);
  }
}
