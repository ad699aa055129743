package org.hpcfaas.api;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.hpcfaas.registry.RegistryReplication;
import org.hpcfaas.core.WorkerUnavailable;
import org.hpcfaas.registry.DeployRejected;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.hpcfaas.gateway.TenantQuotas;

/** The problem for a failed call or deploy that never produced an outcome: no worker, no quorum, timeouts. */
final class Problems {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private Problems() {}

  static Throwable cause(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  static Problem ofFailure(Throwable error) {
    var cause = cause(error);
    return switch (cause) {
      case DeployRejected d -> Problem.of(switch (d.reason()) {
        case NAME -> ProblemType.INVALID_NAME;
        case LIMITS -> ProblemType.INVALID_LIMITS;
        case MODULE -> ProblemType.INVALID_MODULE;
        case MOUNT -> ProblemType.INVALID_MOUNT;
        case UNKNOWN_VOLUME -> ProblemType.UNKNOWN_VOLUME;
        case VOLUME_NOT_PERMITTED -> ProblemType.VOLUME_NOT_PERMITTED;
      }, d.getMessage());
      case RegistryReplication.NotDurable n -> Problem.of(ProblemType.NOT_DURABLE, n.getMessage()).with("retriable", true);
      case org.apache.pekko.http.scaladsl.model.EntityStreamException t ->
          Problem.of(ProblemType.CLIENT_ABORTED, "the request body ended early: " + t.getMessage());
      case org.apache.pekko.http.scaladsl.model.ws.PeerClosedConnectionException p ->
          Problem.of(ProblemType.CLIENT_ABORTED, "the client closed the connection: " + p.getMessage());
      case TenantQuotas.BudgetExhausted b -> Problem.of(ProblemType.NODE_OVERLOADED, b.getMessage()).with("retriable", true);
      case TenantQuotas.QuotaExceeded q -> Problem.of(ProblemType.QUOTA_EXCEEDED, q.getMessage()).with("retriable", true);
      case WorkerUnavailable w -> Problem.of(ProblemType.NO_WORKER, w.getMessage()).with("retriable", true);
      case TimeoutException t -> Problem.of(ProblemType.WORKER_TIMEOUT, "no worker answered in time: " + t.getMessage())
          .with("retriable", true);
      default -> {
        log.error("Request failed", cause);
        yield Problem.of(ProblemType.RUNTIME_ERROR, cause.getClass().getSimpleName() + ": " + cause.getMessage());
      }
    };
  }
}
