package org.hpcfaas.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One POST on its own HTTP/1.1 connection whose request body is written while its response is read, so
 * that a function's output reaches the caller while its input still streams in. {@link java.net.http.HttpClient}
 * cannot do that: over HTTP/1.1 it reads the response only once the whole request body is sent, which stalls
 * any call whose output is as large as its input (a streaming filter) until the node gives up.
 */
final class StreamingCall implements AutoCloseable {
  private static final int BUFFER = 64 * 1024;

  private final Socket socket;
  private final Thread writer;
  private final AtomicReference<IOException> inputFailure = new AtomicReference<>();
  private final int status;
  private final Map<String, String> headers;
  private final InputStream body;

  /** Why the request body could not be read (from the caller's file or stdin), not a network failure. */
  static final class InputFailed extends IOException {
    InputFailed(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * Connects, sends the head, starts writing {@code input} ({@code length} bytes, or chunked when -1) on a
   * thread of its own, and reads the response head.
   */
  StreamingCall(URI uri, String token, InputStream input, long length) throws IOException {
    socket = connect(uri);
    try {
      var out = new BufferedOutputStream(socket.getOutputStream(), BUFFER + 32);
      out.write(head(uri, token, length).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      writer = Thread.ofVirtual().name("hpcfaas-upload").start(() -> upload(input, out, length < 0));
      var in = new BufferedInputStream(socket.getInputStream(), BUFFER);
      int code;
      Map<String, String> h;
      do {
        code = statusCode(line(in));
        h = headerLines(in);
      } while (code >= 100 && code < 200);
      status = code;
      headers = h;
      body = bodyStream(in, h);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  int status() {
    return status;
  }

  /** A response header (names are case-insensitive), or null. */
  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The response body, decoded; a body cut off before its end throws instead of looking complete. */
  InputStream body() {
    return body;
  }

  /** Why the upload failed on the caller's side (the input could not be read), or null. */
  IOException inputFailure() {
    return inputFailure.get();
  }

  private static Socket connect(URI uri) throws IOException {
    boolean tls = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
    var plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(uri.getHost(), port), (int) NodeClient.CONNECT_TIMEOUT.toMillis());
      plain.setTcpNoDelay(true);
      if (!tls) {
        return plain;
      }
      var ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, uri.getHost(), port, true);
      var params = ssl.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      ssl.setSSLParameters(params);
      ssl.startHandshake();
      return ssl;
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  private static String head(URI uri, String token, long length) {
    var target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    var host = uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost();
    var head = new StringBuilder()
        .append("POST ").append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append(uri.getPort() >= 0 ? ":" + uri.getPort() : "").append("\r\n")
        .append("User-Agent: hpcfaas-cli\r\n")
        .append("Content-Type: application/octet-stream\r\n")
        .append(length < 0 ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n")
        .append("Connection: close\r\n");
    if (token != null) {
      head.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    return head.append("\r\n").toString();
  }

  /** Copies the input as it comes (each read sent at once, so that interactive input is not held back). */
  private void upload(InputStream input, OutputStream out, boolean chunked) {
    var buf = new byte[BUFFER];
    try {
      while (true) {
        int n;
        try {
          n = input.read(buf);
        } catch (IOException e) {
          inputFailure.set(new InputFailed(e));
          socket.close();
          return;
        }
        if (n < 0) {
          break;
        }
        if (n == 0) {
          continue;
        }
        if (chunked) {
          out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.write(buf, 0, n);
        if (chunked) {
          out.write('\r');
          out.write('\n');
        }
        out.flush();
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      out.flush();
    } catch (IOException e) {
      // the node stopped reading (it answered early, or the connection broke): the response tells which
    }
  }

  private static int statusCode(String line) throws IOException {
    var parts = line.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP response: " + line);
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status line: " + line);
    }
  }

  private static Map<String, String> headerLines(InputStream in) throws IOException {
    var h = new LinkedHashMap<String, String>();
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        h.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
            (a, b) -> a + ", " + b);
      }
    }
    return h;
  }

  /** One CRLF-terminated line of the head, without its terminator. */
  private static String line(InputStream in) throws IOException {
    var b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the connection closed in the middle of the response head");
      }
      if (b.size() > 64 * 1024) {
        throw new IOException("response header line too long");
      }
      b.write(c);
    }
    var s = b.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static InputStream bodyStream(InputStream in, Map<String, String> h) throws IOException {
    var te = h.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
    if (te.contains("chunked")) {
      return new Chunked(in);
    }
    var cl = h.get("content-length");
    if (cl != null) {
      try {
        return new Sized(in, Long.parseLong(cl));
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length: " + cl);
      }
    }
    return in;
  }

  /** A chunked body: ends at its last (empty) chunk; a connection that ends before it is an error. */
  private static final class Chunked extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      var one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        var size = line(in);
        int semi = size.indexOf(';');
        try {
          left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size in the response: " + size);
        }
        if (left == 0) {
          while (!line(in).isEmpty()) {
            // trailers: none that the CLI reads
          }
          done = true;
          return -1;
        }
      }
      int n = in.read(buf, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("the response ended before its last chunk");
      }
      left -= n;
      if (left == 0 && !line(in).isEmpty()) {
        throw new IOException("a chunk of the response did not end with CRLF");
      }
      return n;
    }
  }

  /** A body of known length: a connection that ends before it is an error. */
  private static final class Sized extends InputStream {
    private final InputStream in;
    private long left;

    Sized(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      var one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      int n = in.read(buf, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("the response ended " + left + " bytes before its announced length");
      }
      left -= n;
      return n;
    }
  }

  /** Closes the connection (stopping an upload still under way) and waits briefly for the upload thread. */
  @Override
  public void close() throws IOException {
    socket.close();
    try {
      writer.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
