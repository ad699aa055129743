package org.hpcfaas.api;

import java.util.Map;
import org.hpcfaas.core.InvocationIds;
import org.hpcfaas.core.GuestParameters;
import java.util.concurrent.CompletionStage;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.hpcfaas.auth.Principal;
import org.hpcfaas.auth.Right;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.InvocationResult;
import org.hpcfaas.gateway.Invoker;
import org.hpcfaas.registry.FunctionRegistry;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.gateway.TenantQuotas;

/**
 * {@code GET /v1/functions/{name}/ws} (or under {@code /v1/namespaces/{ns}}). Message mode (default): each message is one invocation and its
 * reply one message, in order, several in flight up to the function's concurrency (text in, text out;
 * binary in, binary out; a failure is a text message holding the problem JSON). Stream mode
 * ({@code ?stream=true}): the connection is one invocation, messages are appended to stdin until an
 * empty binary message or the client's close, output goes out as binary messages as it is written, then
 * the server closes normally, or after a problem text message with status 1011 when the function failed.
 * A message-mode message larger than {@code maxMessageBytes} closes the connection with status 1009 while it
 * arrives; a message is admitted against the tenant's quota and the node's {@code BulkBudget} before it is
 * read, and replies stream from the worker.
 */
public final class WebSocketRoutes extends AllDirectives {
  /** The close status for a message larger than the limit (RFC 6455, 7.4.1). */
  static final int TOO_BIG = 1009;
  /** Replies up to this size (known from the worker) go as one frame; larger ones stream. */
  private static final long STRICT_REPLY_BYTES = org.hpcfaas.core.Payload.INLINE_LIMIT;

  private final TenantQuotas quotas;
  private final FunctionRegistry registry;
  private final Invoker invoker;
  private final JsonResponses responses;
  private final Materializer materializer;
  private final long maxMessageBytes;
  private final long timeoutMs;
  private final org.apache.pekko.http.scaladsl.settings.WebSocketSettings webSocketSettings;

  public WebSocketRoutes(TenantQuotas quotas, FunctionRegistry registry, Invoker invoker, JsonResponses responses, Materializer materializer,
      long maxMessageBytes, long timeoutMs) {
    this.quotas = quotas;
    this.registry = registry;
    this.invoker = invoker;
    this.responses = responses;
    this.materializer = materializer;
    this.maxMessageBytes = maxMessageBytes;
    this.timeoutMs = timeoutMs;
    this.webSocketSettings = org.apache.pekko.http.scaladsl.settings.ServerSettings
        .apply(materializer.system().settings().config()).websocketSettings();
  }

  public Route route(String namespace, Principal principal) {
    return path(PathMatchers.segment("functions").slash(PathMatchers.segment()).slash("ws"), simpleName ->
        get(() -> parameterMap(params -> extractUri(uri -> {
          var name = Access.qualify(namespace, simpleName);
          var denied = Access.deny(principal, Right.INVOKE, namespace, name, responses);
          if (denied.isPresent()) {
            return complete(denied.get());
          }
          var spec = registry.get(name);
          if (spec.isEmpty()) {
            return complete(responses.problem(Access.notFound(name)));
          }
          GuestParameters guest;
          try {
            guest = GuestQuery.of(uri, spec.get());
          } catch (GuestQuery.Refused r) {
            return complete(responses.problem(r.problem()));
          }
          return "true".equals(params.get("stream"))
              ? handleWebSocketMessages(streamed(spec.get(), guest, principal))
              : extractWebSocketUpgrade(upgrade -> upgrade instanceof UpgradeToWebSocketLowLevel frames
                  ? complete(frames.handleFrames(limited(perMessage(spec.get(), guest, principal)), scala.Option.empty()))
                  : handleWebSocketMessages(perMessage(spec.get(), guest, principal)));
        }))));
  }

  /**
   * Pekko HTTP's own WebSocket stack around {@code handler}, below it a stage that counts the bytes of each
   * message as its frames arrive (a frame's length is known from its header, before its payload is read).
   * The frame that would take a message past the limit is replaced by a close frame with status 1009, as if
   * the client had sent it: the stack answers it with 1009 and closes the connection, and nothing more of
   * the message is read.
   */
  private org.apache.pekko.stream.Graph<org.apache.pekko.stream.FlowShape<FrameEvent, FrameEvent>, Object> limited(
      Flow<Message, Message, NotUsed> handler) {
    var system = materializer.system();
    var stack = org.apache.pekko.http.impl.engine.ws.WebSocket$.MODULE$.stack(true, webSocketSettings,
        scala.concurrent.duration.FiniteDuration.apply(3, java.util.concurrent.TimeUnit.SECONDS),
        org.apache.pekko.event.Logging.getLogger(system, WebSocketRoutes.class));
    var messages = Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
        .map(Message::adapt)
        .via(handler)
        .map(Message::asScala);
    var tooBig = FrameEvent$.MODULE$.closeFrame(TOO_BIG, "message too big: at most " + maxMessageBytes + " bytes",
        scala.Option.apply((Object) 0));
    long limit = maxMessageBytes;
    Flow<FrameEvent, FrameEvent, NotUsed> counting = Flow.<FrameEvent>create()
        .statefulMapConcat(() -> {
          long[] messageBytes = {0};
          return frame -> {
            if (frame instanceof FrameStart start && !start.header().opcode().isControl()) {
              boolean continuation = start.header().opcode().code() == 0;
              messageBytes[0] = (continuation ? messageBytes[0] : 0) + start.header().length();
              if (messageBytes[0] > limit) {
                return List.of(tooBig);
              }
            }
            return List.of(frame);
          };
        })
        .takeWhile(frame -> frame != tooBig, true);
    @SuppressWarnings("unchecked")
    var graph = (org.apache.pekko.stream.Graph<org.apache.pekko.stream.FlowShape<FrameEvent, FrameEvent>, Object>) (Object)
        org.apache.pekko.stream.scaladsl.BidiFlow.fromFlows(counting.asScala(),
                org.apache.pekko.stream.scaladsl.Flow.<FrameEvent>apply())
            .atop(stack)
            .join(messages.asScala());
    return graph;
  }

  private Flow<Message, Message, NotUsed> perMessage(FunctionSpec spec, GuestParameters guest, Principal principal) {
    return Flow.of(Message.class).mapAsync(spec.limits().concurrency(), message -> {
      boolean text = message.isText();
      // The message is at most maxMessageBytes (see limited); its bytes are admitted before they are read.
      long size = strictSize(message);
      TenantQuotas.Admission admission;
      try {
        admission = quotas.admit(principal, size >= 0 ? size : maxMessageBytes);
      } catch (TenantQuotas.QuotaExceeded | TenantQuotas.BudgetExhausted e) {
        return discard(message).thenApply(done -> problem(Problems.ofFailure(e)));
      }
      return bytes(message).thenCompose(input -> {
        if (input.size() > maxMessageBytes) {
          admission.release();
          return java.util.concurrent.CompletableFuture.completedStage(problem(Problem.of(ProblemType.INPUT_TOO_LARGE,
              "a message may be at most " + maxMessageBytes + " bytes").with("limitBytes", maxMessageBytes)));
        }
        var id = InvocationIds.next();
        return quotas.invoke(admission, invoker, spec, new Call(id, input.toArray(), null, guest, false))
            .thenCompose(result -> reply(spec, id, result, text));
      }).whenComplete((m, e) -> admission.release())
          .exceptionally(e -> problem(Problems.ofFailure(e)));
    });
  }

  /** The size of a message that is already whole, else -1. */
  private static long strictSize(Message message) {
    if (message.isText()) {
      return message.asTextMessage().isStrict() ? message.asTextMessage().getStrictText().length() * 3L : -1;
    }
    return message.asBinaryMessage().isStrict() ? message.asBinaryMessage().getStrictData().size() : -1;
  }

  private CompletionStage<Done> discard(Message message) {
    return message.isText()
        ? message.asTextMessage().getStreamedText().runWith(Sink.ignore(), materializer)
        : message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
  }

  /**
   * The reply: one whole frame when the output is small and its size known, else streamed from the worker as
   * it arrives (in several frames); the gateway never holds a large output.
   */
  private CompletionStage<Message> reply(FunctionSpec spec, String id, InvocationResult result, boolean text) {
    if (result instanceof InvocationResult.Completed c && !c.outcome().succeeded()) {
      return java.util.concurrent.CompletableFuture.completedStage(problem(
          OutcomeProblems.of(spec.name(), c.outcome()).with("invocationId", id).with("node", c.node())));
    }
    if (result instanceof InvocationResult.Completed c && c.outputSize() >= 0 && c.outputSize() <= STRICT_REPLY_BYTES) {
      return c.output().runFold(ByteString.emptyByteString(), ByteString::concat, materializer)
          .thenApply(bytes -> text ? TextMessage.create(bytes.utf8String()) : BinaryMessage.create(bytes));
    }
    Source<ByteString, NotUsed> output = switch (result) {
      case InvocationResult.Completed c -> c.output().mapMaterializedValue(m -> NotUsed.getInstance());
      case InvocationResult.Streaming s -> s.output().mapMaterializedValue(m -> NotUsed.getInstance());
    };
    return java.util.concurrent.CompletableFuture.completedStage(
        text ? TextMessage.create(Utf8Chunks.decode(output)) : BinaryMessage.create(output));
  }

  /**
   * A stream-mode socket's flow, built only when it runs, that is once the upgrade was accepted: a request
   * without one (a plain GET) is refused before any call starts or any thread waits for its input.
   */
  private Flow<Message, Message, NotUsed> streamed(FunctionSpec spec, GuestParameters guest, Principal principal) {
    return Flow.<Message, Message, NotUsed>fromMaterializer((mat, attributes) -> streamedNow(spec, guest, principal))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private Flow<Message, Message, NotUsed> streamedNow(FunctionSpec spec, GuestParameters guest, Principal principal) {
    var input = Source.<ByteString>asSubscriber().preMaterialize(materializer);
    // Each message streams into stdin as it arrives (never held whole); an empty binary message ends stdin.
    Sink<Message, NotUsed> stdin = Flow.of(Message.class)
        .flatMapConcat(message -> data(message).filter(b -> !b.isEmpty()).map(java.util.Optional::of)
            .concat(Source.single(java.util.Optional.<ByteString>empty())))
        .statefulMapConcat(() -> {
          boolean[] empty = {true};
          return part -> {
            if (part.isPresent()) {
              empty[0] = false;
              return List.of(part.get());
            }
            boolean ended = empty[0];
            empty[0] = true;
            return ended ? List.of(ByteString.emptyByteString()) : List.<ByteString>of();
          };
        })
        .takeWhile(bytes -> !bytes.isEmpty())
        .to(Sink.fromSubscriber(input.first()));
    var id = InvocationIds.next();
    Source<Message, NotUsed> stdout = Source.completionStageSource(quotas.invoke(principal, invoker, spec,
                new Call(id, null, input.second(), guest, true))
            .handle((result, error) -> error != null ? failed(Problems.ofFailure(error)) : output(spec, id, result)))
        .mapMaterializedValue(m -> NotUsed.getInstance());
    return Flow.fromSinkAndSource(stdin, stdout);
  }

  private static Source<ByteString, ?> data(Message message) {
    return message.isText()
        ? message.asTextMessage().getStreamedText().map(ByteString::fromString)
        : message.asBinaryMessage().getStreamedData();
  }

  private Source<Message, NotUsed> output(FunctionSpec spec, String id, InvocationResult result) {
    return switch (result) {
      case InvocationResult.Completed c when c.outcome().succeeded() ->
          c.output().<Message>map(BinaryMessage::create).mapMaterializedValue(m -> NotUsed.getInstance());
      case InvocationResult.Completed c -> failed(OutcomeProblems.of(spec.name(), c.outcome()).with("invocationId", id)
          .with("node", c.node()));
      case InvocationResult.Streaming s -> s.output().<Message>map(BinaryMessage::create)
          .mapMaterializedValue(m -> NotUsed.getInstance())
          .recoverWithRetries(1, new PFBuilder<Throwable, Graph<SourceShape<Message>, NotUsed>>()
              .matchAny(e -> failed(Problem.of(ProblemType.FUNCTION_FAILED_MID_STREAM, e.getMessage())
                  .with("invocationId", id).with("node", s.node())))
              .build());
    };
  }

  /**
   * The problem as a text message, then a failure, on which Pekko HTTP closes the socket with 1011. A
   * failure overtakes elements still buffered, so it waits a moment for the message to be written.
   */
  private Source<Message, NotUsed> failed(Problem problem) {
    return Source.<Message>single(problem(problem)).concat(Source.<Message>failed(
        new FunctionFailedException(problem.detail())).initialDelay(java.time.Duration.ofMillis(200)));
  }

  private Message problem(Problem problem) {
    return TextMessage.create(new String(responses.bytes(problem), java.nio.charset.StandardCharsets.UTF_8));
  }

  private CompletionStage<ByteString> bytes(Message message) {
    return message.isText()
        ? message.asTextMessage().toStrict(timeoutMs, materializer).thenApply(t -> ByteString.fromString(t.getStrictText()))
        : message.asBinaryMessage().toStrict(timeoutMs, materializer).thenApply(b -> b.getStrictData());
  }

  /**
   * Decodes UTF-8 that arrives in chunks of any size into text, never splitting a character (malformed
   * input becomes U+FFFD, as a whole decode would make it).
   */
  static final class Utf8Chunks {
    private ByteString pending = ByteString.emptyByteString();

    static Source<String, NotUsed> decode(Source<ByteString, NotUsed> bytes) {
      return bytes.statefulMap(Utf8Chunks::new, (state, chunk) -> Pair.create(state, state.next(chunk)),
              state -> java.util.Optional.of(state.pending.utf8String()))
          .filter(text -> !text.isEmpty());
    }

    private String next(ByteString chunk) {
      var all = pending.concat(chunk);
      int cut = completeUpTo(all);
      pending = all.drop(cut);
      return all.take(cut).utf8String();
    }

    /** The length of the prefix that ends on a character boundary (looks back at most 3 bytes). */
    private static int completeUpTo(ByteString bytes) {
      int n = bytes.size();
      for (int back = 1; back <= Math.min(3, n); back++) {
        int b = bytes.apply(n - back) & 0xff;
        if ((b & 0xc0) == 0x80) {
          continue; // a continuation byte: look further back for the lead byte
        }
        int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
        return needed > back ? n - back : n;
      }
      return n;
    }
  }

  /** Ends a stream-mode socket abnormally after its problem message. */
  static final class FunctionFailedException extends RuntimeException {
    FunctionFailedException(String message) {
      super(message);
    }
  }
}
