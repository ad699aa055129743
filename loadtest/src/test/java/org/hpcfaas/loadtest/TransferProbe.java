package org.hpcfaas.loadtest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Time to first output byte of one invocation, for loadtest/bench (curl's {@code time_starttransfer} is
 * not that for uploads: it can be set before the upload ends, even for a bulk call that answers only
 * afterwards).
 *
 * <pre>java -cp loadtest/target/test-classes org.hpcfaas.loadtest.TransferProbe FILE REPS URL [URL...]</pre>
 *
 * POSTs FILE to each URL in turn (HTTP/1.1, Content-Length, a new connection per call), REPS rounds, one
 * call after the other: interleaved, so that a noisy moment hurts every URL alike. The upload runs on
 * its own thread while this one reads the response, so a streamed output can begin before the input has
 * ended. Prints one line per call: the URL's index (from 0), the status, the milliseconds to the first
 * byte of the response body (for a chunked body: of its first chunk), to its last byte, and the body's
 * length in bytes (chunked bodies decoded).
 */
public final class TransferProbe {

  private TransferProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: TransferProbe FILE REPS URL [URL...]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int reps = Integer.parseInt(args[1]);
    for (int i = 0; i < reps; i++) {
      for (int u = 2; u < args.length; u++) {
        System.out.println((u - 2) + " " + call(URI.create(args[u]), file));
      }
    }
  }

  static String call(URI uri, Path file) throws Exception {
    long size = Files.size(file);
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    String path = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
    try (Socket socket = new Socket(uri.getHost(), port)) {
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      String head = "POST " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + port + "\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + size + "\r\nConnection: close\r\n\r\n";
      long start = System.nanoTime();
      Thread upload = Thread.ofPlatform().daemon().start(() -> {
        try (InputStream in = Files.newInputStream(file)) {
          out.write(head.getBytes(StandardCharsets.US_ASCII));
          in.transferTo(out);
          out.flush();
        } catch (IOException e) {
          // the server may answer (an error) and close before the upload ends: the status tells
        }
      });
      InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      long contentLength = -1;
      boolean chunked = false;
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          contentLength = Long.parseLong(h.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      long first = -1;
      long body = 0;
      if (chunked) {
        for (;;) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          if (first < 0) {
            first = System.nanoTime();
          }
          String sizeLine = ((char) b) + line(in);
          long n = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
          if (n == 0) {
            break;
          }
          in.skipNBytes(n);
          body += n;
          line(in);
        }
      } else {
        byte[] buf = new byte[64 * 1024];
        long remaining = contentLength < 0 ? Long.MAX_VALUE : contentLength;
        while (remaining > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
          if (n < 0) {
            break;
          }
          if (first < 0) {
            first = System.nanoTime();
          }
          body += n;
          remaining -= n;
        }
      }
      long end = System.nanoTime();
      upload.join(10_000);
      return String.format(Locale.ROOT, "%d %.3f %.3f %d", status,
          first < 0 ? (end - start) / 1e6 : (first - start) / 1e6, (end - start) / 1e6, body);
    }
  }

  private static String line(InputStream in) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
