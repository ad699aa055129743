package org.hpcfaas.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * A streamed request body that is read to its end before the call is answered, even when the function
 * ended without reading it all: what it did not read is read and dropped, for up to {@code limit}. An answer
 * sent while the body still arrives makes the server close the connection over unread bytes, the client's
 * TCP stack then resets it, and the client often loses the answer it was about to read (RFC 9112, 9.6).
 */
public final class InputDrain {
  private final Source<ByteString, ?> body;
  private final Duration limit;
  private final AtomicBoolean taken = new AtomicBoolean();
  private final CompletableFuture<Done> ended = new CompletableFuture<>();

  public InputDrain(Source<ByteString, ?> body, Duration limit) {
    this.body = body;
    this.limit = limit;
  }

  /** The body for the function: it can be run once; a reader that stops early leaves the rest to be dropped. */
  public Source<ByteString, NotUsed> input() {
    return Source.<ByteString, NotUsed>fromMaterializer((mat, attributes) -> taken.compareAndSet(false, true)
            ? body.via(new DropRestOnCancel()).mapMaterializedValue(m -> NotUsed.getInstance())
            : Source.failed(new IllegalStateException("the request body was already read")))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** Completes once the body has ended (read, dropped, or given up on); drops it whole if nobody took it. */
  public CompletionStage<Done> ended(Materializer materializer) {
    if (taken.compareAndSet(false, true)) {
      body.takeWithin(limit).runWith(Sink.ignore(), materializer)
          .whenComplete((done, failure) -> ended.complete(Done.getInstance()));
    }
    return ended;
  }

  /** {@code output}, its end (or failure) held back until the body has ended. */
  public <T> Source<T, NotUsed> endingAfterInput(Source<T, ?> output, Materializer materializer) {
    return output.via(new EndAfter<T>(materializer)).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private final class EndAfter<T> extends GraphStage<FlowShape<T, T>> {
    private final Inlet<T> in = Inlet.create("InputDrain.EndAfter.in");
    private final Outlet<T> out = Outlet.create("InputDrain.EndAfter.out");
    private final FlowShape<T, T> shape = FlowShape.of(in, out);
    private final Materializer materializer;

    EndAfter(Materializer materializer) {
      this.materializer = materializer;
    }

    @Override
    public FlowShape<T, T> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new GraphStageLogic(shape) {
        {
          setHandler(in, new AbstractInHandler() {
            @Override
            public void onPush() {
              push(out, grab(in));
            }

            @Override
            public void onUpstreamFinish() {
              endAfterInput(null);
            }

            @Override
            public void onUpstreamFailure(Throwable failure) {
              endAfterInput(failure);
            }
          });
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              pull(in);
            }
          });
        }

        private void endAfterInput(Throwable failure) {
          setKeepGoing(true);
          var callback = createAsyncCallback((Done d) -> {
            if (failure == null) {
              completeStage();
            } else {
              failStage(failure);
            }
          });
          ended(materializer).thenAccept(callback::invoke);
        }
      };
    }
  }

  /** Passes the body on; once its reader cancels, pulls and drops the rest until it ends or the limit passes. */
  private final class DropRestOnCancel extends GraphStage<FlowShape<ByteString, ByteString>> {
    private final Inlet<ByteString> in = Inlet.create("InputDrain.in");
    private final Outlet<ByteString> out = Outlet.create("InputDrain.out");
    private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);

    @Override
    public FlowShape<ByteString, ByteString> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      return new TimerGraphStageLogic(shape) {
        private boolean dropping;

        {
          setHandler(in, new AbstractInHandler() {
            @Override
            public void onPush() {
              var bytes = grab(in);
              if (dropping) {
                pull(in);
              } else {
                push(out, bytes);
              }
            }

            @Override
            public void onUpstreamFinish() {
              ended.complete(Done.getInstance());
              completeStage();
            }

            @Override
            public void onUpstreamFailure(Throwable failure) {
              ended.complete(Done.getInstance());
              failStage(failure);
            }
          });
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              pull(in);
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              dropping = true;
              setKeepGoing(true);
              scheduleOnce("limit", limit);
              if (!hasBeenPulled(in)) {
                pull(in);
              }
            }
          });
        }

        @Override
        public void onTimer(Object key) {
          ended.complete(Done.getInstance());
          cancel(in);
          completeStage();
        }

        @Override
        public void postStop() {
          ended.complete(Done.getInstance());
        }
      };
    }
  }
}
