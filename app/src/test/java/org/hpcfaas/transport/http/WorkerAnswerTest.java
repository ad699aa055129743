package org.hpcfaas.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.Materializer;
import org.hpcfaas.Json;
import org.hpcfaas.core.Call;
import org.hpcfaas.core.FunctionSpec;
import org.hpcfaas.core.GuestParameters;
import org.hpcfaas.core.Limits;
import org.hpcfaas.core.ModuleKind;
import org.hpcfaas.core.Worker;
import org.hpcfaas.core.WorkerUnavailable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the gateway of http mode reads a worker's unexpected answers: "never started" only when that is certain. */
class WorkerAnswerTest {
  private final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString("""
      pekko.actor.provider = local
      pekko.remote.artery.enabled = off
      """).withFallback(ConfigFactory.load()));
  private final AtomicInteger received = new AtomicInteger();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  /** A real HTTP server in the worker's place that takes the call, then answers {@code status}. */
  private ServerBinding workerAnswering(int status) throws Exception {
    return Http.get(kit.system()).newServerAt("127.0.0.1", 0).bindSync(request -> {
      received.incrementAndGet();
      request.discardEntityBytes(kit.system());
      return HttpResponse.create().withStatus(status).withEntity("worker failed");
    }).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private WorkerUnavailable failureOfACallTo(String url) throws Exception {
    var invoker = new HttpInvoker(kit.system(), new InternalKey("k"), Json.mapper(), Materializer.createMaterializer(kit.system()));
    var spec = new FunctionSpec("f", 1, "0".repeat(64), 10, ModuleKind.COMMAND, new Limits(16, 1000, 1), false, "t",
        Instant.now(), List.of(), true, List.of());
    var worker = new Worker(AddressFromURIString.parse("pekko://hpcfaas@127.0.0.1:1"), url, 1, Set.of());
    try {
      invoker.send(worker, spec, new Call("id", new byte[] {1}, null, GuestParameters.none(), false))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw new AssertionError("the call succeeded");
    } catch (ExecutionException e) {
      return assertInstanceOf(WorkerUnavailable.class, e.getCause());
    }
  }

  @Test
  void aWorkersServerErrorAfterTakingTheCallIsNotNeverStarted() throws Exception {
    for (int status : new int[] {500, 503, 502}) {
      var binding = workerAnswering(status);
      var failure = failureOfACallTo("http://127.0.0.1:" + binding.localAddress().getPort());
      assertEquals(false, failure.neverStarted(), status + ": " + failure.getMessage());
      binding.unbind().toCompletableFuture().get();
    }
    assertEquals(3, received.get());
  }

  @Test
  void aRefusedConnectionOrAnUnknownInternalKeyIsNeverStarted() throws Exception {
    var binding = workerAnswering(StatusCodes.NOT_FOUND.intValue());
    assertEquals(true, failureOfACallTo("http://127.0.0.1:" + binding.localAddress().getPort()).neverStarted());
    int port = binding.localAddress().getPort();
    binding.unbind().toCompletableFuture().get();
    assertEquals(true, failureOfACallTo("http://127.0.0.1:" + port).neverStarted());
  }
}
