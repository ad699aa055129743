package org.hpcfaas.worker;

import java.io.IOException;
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
 * A guest's stdout that streams: the first write opens a stream (and announces it), every write waits
 * until the stream has room, so a slow reader blocks the guest inside {@code fd_write}. A stream that no
 * reader takes within {@code subscriptionTimeout} fails, so the guest's next write fails too.
 */
final class StreamedStdout extends OutputStream {
  private static final int BUFFERED_CHUNKS = 8;

  private final Materializer materializer;
  private final Duration subscriptionTimeout;
  private final Consumer<Source<ByteString, NotUsed>> onOpen;
  private SourceQueueWithComplete<ByteString> queue;

  StreamedStdout(Materializer materializer, Duration subscriptionTimeout, Consumer<Source<ByteString, NotUsed>> onOpen) {
    this.materializer = materializer;
    this.subscriptionTimeout = subscriptionTimeout;
    this.onOpen = onOpen;
  }

  boolean opened() {
    return queue != null;
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
    if (queue == null) {
      var pair = Source.<ByteString>queue(BUFFERED_CHUNKS, OverflowStrategy.backpressure()).preMaterialize(materializer);
      queue = pair.first();
      var taken = new AtomicBoolean();
      var opened = queue;
      CompletableFuture.delayedExecutor(subscriptionTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
        if (!taken.get()) {
          opened.fail(new IOException("no reader took the output stream within " + subscriptionTimeout));
        }
      });
      onOpen.accept(pair.second().mapMaterializedValue(m -> {
        taken.set(true);
        return m;
      }));
    }
    QueueOfferResult result;
    try {
      result = queue.offer(ByteString.fromArray(b, off, len)).toCompletableFuture().get();
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

  /** Ends the stream: normally after success, with an error after a failure. */
  void finish(Throwable failure) {
    if (queue != null) {
      if (failure == null) {
        queue.complete();
      } else {
        queue.fail(failure);
      }
    }
  }
}
