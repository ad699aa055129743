package org.hpcfaas.api;

import java.util.Map;
import org.hpcfaas.core.InvocationIds;
import org.hpcfaas.core.GuestParameters;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
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
 */
public final class WebSocketRoutes extends AllDirectives {
  private final TenantQuotas quotas;
  private final FunctionRegistry registry;
  private final Invoker invoker;
  private final JsonResponses responses;
  private final Materializer materializer;
  private final long maxMessageBytes;
  private final long timeoutMs;

  public WebSocketRoutes(TenantQuotas quotas, FunctionRegistry registry, Invoker invoker, JsonResponses responses, Materializer materializer,
      long maxMessageBytes, long timeoutMs) {
    this.quotas = quotas;
    this.registry = registry;
    this.invoker = invoker;
    this.responses = responses;
    this.materializer = materializer;
    this.maxMessageBytes = maxMessageBytes;
    this.timeoutMs = timeoutMs;
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
              : handleWebSocketMessages(perMessage(spec.get(), guest, principal));
        }))));
  }

  private Flow<Message, Message, NotUsed> perMessage(FunctionSpec spec, GuestParameters guest, Principal principal) {
    return Flow.of(Message.class).mapAsync(spec.limits().concurrency(), message -> {
      boolean text = message.isText();
      return bytes(message).thenCompose(input -> {
        if (input.size() > maxMessageBytes) {
          return java.util.concurrent.CompletableFuture.completedStage(problem(Problem.of(ProblemType.INPUT_TOO_LARGE,
              "a message may be at most " + maxMessageBytes + " bytes").with("limitBytes", maxMessageBytes)));
        }
        var id = InvocationIds.next();
        return quotas.invoke(principal, invoker, spec, new Call(id, input.toArray(), null, guest, false))
            .thenCompose(result -> reply(spec, id, result, text))
            .exceptionally(e -> problem(Problems.ofFailure(e)));
      });
    });
  }

  private CompletionStage<Message> reply(FunctionSpec spec, String id, InvocationResult result, boolean text) {
    if (result instanceof InvocationResult.Completed c && !c.outcome().succeeded()) {
      return java.util.concurrent.CompletableFuture.completedStage(problem(
          OutcomeProblems.of(spec.name(), c.outcome()).with("invocationId", id).with("node", c.node())));
    }
    var output = switch (result) {
      case InvocationResult.Completed c -> c.output();
      case InvocationResult.Streaming s -> s.output();
    };
    return output.runFold(ByteString.emptyByteString(), ByteString::concat, materializer)
        .thenApply(bytes -> text ? TextMessage.create(bytes.utf8String()) : BinaryMessage.create(bytes));
  }

  private Flow<Message, Message, NotUsed> streamed(FunctionSpec spec, GuestParameters guest, Principal principal) {
    var input = Source.<ByteString>asSubscriber().preMaterialize(materializer);
    Sink<Message, NotUsed> stdin = Flow.of(Message.class)
        .mapAsync(1, this::bytes)
        .takeWhile(bytes -> !bytes.isEmpty())
        .to(Sink.fromSubscriber(input.first()));
    var id = InvocationIds.next();
    Source<Message, NotUsed> stdout = Source.completionStageSource(quotas.invoke(principal, invoker, spec,
                new Call(id, null, input.second(), guest, true))
            .handle((result, error) -> error != null ? failed(Problems.ofFailure(error)) : output(spec, id, result)))
        .mapMaterializedValue(m -> NotUsed.getInstance());
    return Flow.fromSinkAndSource(stdin, stdout);
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

  /** Ends a stream-mode socket abnormally after its problem message. */
  static final class FunctionFailedException extends RuntimeException {
    FunctionFailedException(String message) {
      super(message);
    }
  }
}
