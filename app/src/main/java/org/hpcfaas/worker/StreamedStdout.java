package org.hpcfaas.worker;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * A guest's stdout that streams: the first write opens a stream (and announces it), every write waits
 * until the stream has room, so a slow reader blocks the guest inside {@code fd_write}.
 */
final class StreamedStdout extends OutputStream {
  private static final int BUFFERED_CHUNKS = 8;

  private final Materializer materializer;
  private final Consumer<SourceRef<ByteString>> onOpen;
  private SourceQueueWithComplete<ByteString> queue;

  StreamedStdout(Materializer materializer, Consumer<SourceRef<ByteString>> onOpen) {
    this.materializer = materializer;
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
      onOpen.accept(pair.second().runWith(StreamRefs.sourceRef(), materializer));
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
