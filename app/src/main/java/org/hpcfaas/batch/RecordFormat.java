package org.hpcfaas.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.util.ByteString;

/**
 * How the body of a map is cut into records: {@code lines} (each line one stdin, without its newline),
 * {@code binary} (each record a 4-byte big-endian length, then that many bytes) or {@code ndjson} (each
 * line {@code {"stdin": base64, "args": [...]}}). A record longer than the bound fails the whole map, as
 * the stream cannot be cut further; an NDJSON line that is not a valid record fails alone.
 */
public enum RecordFormat {
  LINES, BINARY, NDJSON;

  private static final ByteString NEWLINE = ByteString.fromString("\n");

  /** The format named by {@code ?records=}; throws IllegalArgumentException for any other name. */
  public static RecordFormat of(String name) {
    return switch (name) {
      case "lines" -> LINES;
      case "binary" -> BINARY;
      case "ndjson" -> NDJSON;
      default -> throw new IllegalArgumentException("records must be lines, binary or ndjson, got '" + name + "'");
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Cuts bytes into records of at most {@code maxRecordBytes}, numbered from 0 in input order. */
  public Flow<ByteString, MapRecord, NotUsed> framing(int maxRecordBytes, ObjectMapper json) {
    var frames = switch (this) {
      case LINES, NDJSON -> Framing.delimiter(NEWLINE, maxRecordBytes, FramingTruncation.ALLOW);
      case BINARY -> Framing.lengthField(4, 0, maxRecordBytes + 4, ByteOrder.BIG_ENDIAN).map(f -> f.drop(4));
    };
    var numbered = (this == NDJSON ? frames.filter(f -> !f.utf8String().isBlank()) : frames).zipWithIndex();
    return switch (this) {
      case LINES -> numbered.map(p -> new MapRecord(p.second(), stripCarriageReturn(p.first()).toArray(), null, null));
      case BINARY -> numbered.map(p -> new MapRecord(p.second(), p.first().toArray(), null, null));
      case NDJSON -> numbered.map(p -> parse(p, json));
    };
  }

  private static ByteString stripCarriageReturn(ByteString line) {
    return !line.isEmpty() && line.last() == '\r' ? line.dropRight(1) : line;
  }

  private static MapRecord parse(Pair<ByteString, Long> line, ObjectMapper json) {
    long index = line.second();
    JsonNode node;
    try {
      node = json.readTree(line.first().toArray());
    } catch (IOException e) {
      return new MapRecord(index, new byte[0], null, "record " + index + " is not JSON: " + e.getMessage());
    }
    if (!node.isObject()) {
      return new MapRecord(index, new byte[0], null, "record " + index + " is not a JSON object");
    }
    byte[] stdin;
    var encoded = node.path("stdin");
    if (encoded.isMissingNode() || encoded.isNull()) {
      stdin = new byte[0];
    } else if (!encoded.isTextual()) {
      return new MapRecord(index, new byte[0], null, "record " + index + ": stdin must be a base64 string");
    } else {
      try {
        stdin = Base64.getDecoder().decode(encoded.asText());
      } catch (IllegalArgumentException e) {
        return new MapRecord(index, new byte[0], null, "record " + index + ": stdin is not base64: " + e.getMessage());
      }
    }
    List<String> args = null;
    var given = node.path("args");
    if (!given.isMissingNode() && !given.isNull()) {
      if (!given.isArray()) {
        return new MapRecord(index, stdin, null, "record " + index + ": args must be an array of strings");
      }
      args = new ArrayList<>();
      for (var a : given) {
        if (!a.isTextual() || a.asText().indexOf('\0') >= 0) {
          return new MapRecord(index, stdin, null, "record " + index + ": args must be strings without NUL bytes");
        }
        args.add(a.asText());
      }
    }
    return new MapRecord(index, stdin, args, null);
  }
}
