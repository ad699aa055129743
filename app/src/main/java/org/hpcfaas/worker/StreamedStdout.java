package org.hpcfaas.worker;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * A guest's stdout that streams. The first bytes are held until {@link #HOLD_BYTES} have been written, the
 * guest waits for input ({@link #releasedWhenWaiting}: an interactive caller must see the answer to what it
 * sent), or {@code hold} has passed: a C program's buffered stdio writes its output as it exits, so a guest
 * that ends meanwhile is answered whole, with its outcome (a failure as a problem, not as a cut stream).
 * Then the held bytes open a stream (and announce it), and every write waits until the stream has room, so
 * a slow reader blocks the guest inside {@code fd_write}, but never longer than {@code subscriptionTimeout}
 * for one write: a reader that stopped fails the stream and the write. A stream that no reader takes within
 * {@code subscriptionTimeout} fails, so the guest's next write fails too.
 */
final class StreamedStdout extends OutputStream {
  /** Held output beyond which the stream opens at once. */
  static final int HOLD_BYTES = 64 * 1024;
  private static final int BUFFERED_CHUNKS = 8;

  private final Materializer materializer;
  private final Duration subscriptionTimeout;
  private final Duration hold;
  private final Consumer<Source<ByteString, NotUsed>> onOpen;
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  private volatile SourceQueueWithComplete<ByteString> opened;
  private boolean ended;

  StreamedStdout(Materializer materializer, Duration subscriptionTimeout, Duration hold,
      Consumer<Source<ByteString, NotUsed>> onOpen) {
    this.materializer = materializer;
    this.subscriptionTimeout = subscriptionTimeout;
    this.hold = hold;
    this.onOpen = onOpen;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return;
    }
    synchronized (this) {
      if (opened == null) {
        boolean first = held.size() == 0;
        held.write(b, off, len);
        if (held.size() < HOLD_BYTES && hold.isPositive()) {
          if (first) {
            CompletableFuture.delayedExecutor(hold.toMillis(), TimeUnit.MILLISECONDS).execute(this::release);
          }
          return;
        }
        open();
        return;
      }
    }
    offer(opened, ByteString.fromArray(b, off, len));
  }

  /** {@code stdin}, whose reads release the held output first when they would wait for input. */
  InputStream releasedWhenWaiting(InputStream stdin) {
    return new FilterInputStream(stdin) {
      @Override
      public int read() throws IOException {
        releaseIfWaiting();
        return super.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        releaseIfWaiting();
        return super.read(b, off, len);
      }

      private void releaseIfWaiting() throws IOException {
        if (opened == null && in.available() == 0) {
          release();
        }
      }
    };
  }

  /** The hold is over while the guest runs on: what it wrote so far starts the stream. */
  private void release() {
    if (opened != null) {
      return;
    }
    synchronized (this) {
      if (opened == null && !ended && held.size() > 0) {
        try {
          open();
        } catch (IOException e) {
          // the stream failed at once; the guest's next write reports it
        }
      }
    }
  }

  /** Opens the stream with the held bytes as its first element (a fresh queue takes it without waiting). */
  private void open() throws IOException {
    var pair = Source.<ByteString>queue(BUFFERED_CHUNKS, OverflowStrategy.backpressure()).preMaterialize(materializer);
    var queue = pair.first();
    var taken = new AtomicBoolean();
    CompletableFuture.delayedExecutor(subscriptionTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (!taken.get()) {
        queue.fail(new IOException("no reader took the output stream within " + subscriptionTimeout));
      }
    });
    opened = queue;
    onOpen.accept(pair.second().mapMaterializedValue(m -> {
      taken.set(true);
      return m;
    }));
    var first = ByteString.fromArray(held.toByteArray());
    held.reset();
    offer(queue, first);
  }

  /** Waits until the stream takes {@code bytes}, but never longer than {@code subscriptionTimeout}. */
  private void offer(SourceQueueWithComplete<ByteString> queue, ByteString bytes) throws IOException {
    QueueOfferResult result;
    try {
      result = queue.offer(bytes).toCompletableFuture().get(subscriptionTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      queue.fail(new IOException("the reader took nothing for " + subscriptionTimeout));
      throw new IOException("the reader of the output stream took nothing for " + subscriptionTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("output stream interrupted");
    } catch (ExecutionException e) {
      throw new IOException("output stream closed: " + e.getCause().getMessage(), e.getCause());
    }
    if (!(result instanceof QueueOfferResult.Enqueued$)) {
      throw new IOException("output stream closed by the reader (" + result + ")");
    }
  }

  /**
   * The guest has ended: when its output never started to stream, what it wrote (to be answered whole with
   * the outcome), else null and the stream is ended, normally after success, with {@code failure} otherwise.
   */
  byte[] end(Throwable failure) {
    synchronized (this) {
      ended = true;
      if (opened == null) {
        return held.toByteArray();
      }
    }
    if (failure == null) {
      opened.complete();
    } else {
      opened.fail(failure);
    }
    return null;
  }
}
