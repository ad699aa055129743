package org.hpcfaas.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 and WebSocket by hand, to send what no client library would: bodies and messages of hundreds of
 * megabytes generated as they are written (never held by the test), while the answer is read meanwhile.
 */
public final class RawSockets {
  private RawSockets() {}

  public static Socket connect(int port) throws IOException {
    var socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(60_000);
    return socket;
  }

  /** Writes {@code total} bytes of generated data, in blocks, until done or the peer stops it; returns bytes written. */
  public static CompletableFuture<Long> writeGenerated(OutputStream out, long total, java.util.function.IntFunction<byte[]> block) {
    var written = new AtomicLong();
    var thread = new CompletableFuture<Long>();
    Thread.ofPlatform().daemon().start(() -> {
      try {
        int i = 0;
        while (written.get() < total) {
          var b = block.apply(i++);
          out.write(b);
          written.addAndGet(b.length);
        }
        out.flush();
      } catch (IOException e) {
        // the node closed the connection: what the tests expect
      }
      thread.complete(written.get());
    });
    return thread;
  }

  /** One HTTP response head and body (Content-Length, chunked, or up to the end of the stream). */
  public record Response(int status, String head, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return head.lines().findFirst().orElse("(no status line)") + " " + text();
    }
  }

  public static Response readResponse(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a complete response head: '" + head + "'");
      }
      head.write(b);
    }
    var headText = head.toString(StandardCharsets.ISO_8859_1);
    var lower = headText.toLowerCase(java.util.Locale.ROOT);
    var body = new ByteArrayOutputStream();
    if (lower.contains("transfer-encoding: chunked")) {
      while (true) {
        int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
        if (size == 0) {
          line(in);
          break;
        }
        body.writeBytes(in.readNBytes(size));
        line(in);
      }
    } else {
      int at = lower.indexOf("content-length:");
      if (at >= 0) {
        body.writeBytes(in.readNBytes(Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim())));
      } else {
        body.writeBytes(in.readAllBytes());
      }
    }
    return new Response(Integer.parseInt(headText.substring(9, 12)), headText, body.toByteArray());
  }

  private static String line(InputStream in) throws IOException {
    var out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.US_ASCII);
  }

  /** Opens a WebSocket (the upgrade answered 101) on {@code path}. */
  public static Socket webSocket(int port, String path) throws IOException {
    var socket = connect(port);
    var key = new byte[16];
    new Random().nextBytes(key);
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    var head = new ByteArrayOutputStream();
    var in = socket.getInputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed during the handshake: " + head);
      }
      head.write(b);
    }
    if (!head.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("no WebSocket upgrade: " + head);
    }
    return socket;
  }

  /** A masked client frame header (mask 0, so the payload goes as it is) for a payload of {@code length}. */
  public static byte[] frameHeader(int first, long length) {
    var out = new ByteArrayOutputStream();
    out.write(first);
    if (length < 126) {
      out.write(0x80 | (int) length);
    } else if (length < 65536) {
      out.write(0x80 | 126);
      out.write((int) (length >>> 8));
      out.write((int) (length & 0xff));
    } else {
      out.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        out.write((int) (length >>> (8 * i)) & 0xff);
      }
    }
    out.writeBytes(new byte[4]);
    return out.toByteArray();
  }

  /** One whole masked frame. */
  public static byte[] frame(int first, byte[] payload) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(frameHeader(first, payload.length));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** A server frame: its first byte and its payload (server frames are never masked). */
  public record Frame(int first, byte[] payload) {
    public int opcode() {
      return first & 0x0f;
    }

    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }

    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  public static Frame readFrame(InputStream in) throws IOException {
    int first = in.read();
    int second = in.read();
    if (first < 0 || second < 0) {
      throw new IOException("connection closed before a frame");
    }
    long len = second & 0x7f;
    if (len == 126) {
      len = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | (in.read() & 0xff);
      }
    }
    return new Frame(first, in.readNBytes((int) len));
  }
}
