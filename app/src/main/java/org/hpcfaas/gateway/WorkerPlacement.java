package org.hpcfaas.gateway;

import org.hpcfaas.core.Rendezvous;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.Address;
import org.hpcfaas.core.Worker;
import org.hpcfaas.core.WorkerUnavailable;

/**
 * Chooses the worker node for each call, on this gateway, by capacity. A function's calls go to the
 * workers in a rendezvous-hash order of its name: the first one while it has a free WASM slot (so a
 * quiet function stays on one node, with warm instances and one compiled copy), then as many more as
 * it takes to find a free slot, so a hot function spreads over every worker's cores and shrinks back
 * as its load falls. Among those the one with the most free slots wins; when every slot is taken, the
 * least loaded queues the call. Slots are what each worker advertises, taken by this gateway's calls in
 * flight there. Calls are tracked per node so that those on a node that is lost fail at once instead
 * of waiting for their time limit.
 */
public final class WorkerPlacement {
  private volatile List<Worker> workers = List.of();
  private final Map<Address, AtomicInteger> nodeLoad = new ConcurrentHashMap<>();
  private final Map<Address, Set<CompletableFuture<?>>> running = new ConcurrentHashMap<>();


  /** A call in flight on one node; {@link #end()} it exactly once. */
  public final class Ticket {
    private final Worker worker;
    private final CompletableFuture<?> call;

    private Ticket(Worker worker, CompletableFuture<?> call) {
      this.worker = worker;
      this.call = call;
    }

    public Worker worker() {
      return worker;
    }

    public void end() {
      nodeLoad.computeIfAbsent(worker.address(), a -> new AtomicInteger()).decrementAndGet();
      var calls = running.get(worker.address());
      if (calls != null) {
        calls.remove(call);
      }
    }
  }

  public List<Worker> workers() {
    return workers;
  }

  /**
   * Picks a worker for {@code function} among those that have all its {@code volumes}, other than
   * {@code avoid} (a node that just failed this call, or null) and counts the call on it; {@code call} fails if the node is lost. Synchronized with
   * {@link #update}, so a call is never counted on a node after that node was declared lost.
   */
  public Ticket begin(String function, Set<String> volumes, CompletableFuture<?> call, Address avoid) {
    return begin(function, volumes, 0, call, avoid);
  }

  /**
   * As {@link #begin(String, Set, CompletableFuture, Address)}, among the workers that do not drain (their
   * allocation ends) before a call that starts now and runs {@code timeoutMs} could end.
   */
  public synchronized Ticket begin(String function, Set<String> volumes, long timeoutMs, CompletableFuture<?> call,
      Address avoid) {
    var reachable = avoid == null ? workers : workers.stream().filter(w -> !w.address().equals(avoid)).toList();
    if (reachable.isEmpty()) {
      throw new WorkerUnavailable("no worker node is reachable", true);
    }
    var mounting = reachable.stream().filter(w -> w.volumes().containsAll(volumes)).toList();
    if (mounting.isEmpty()) {
      throw new WorkerUnavailable("no reachable worker has every volume " + function + " mounts " + new java.util.TreeSet<>(volumes)
          + " (GET /v1/cluster shows which volumes each worker has)", true);
    }
    long now = System.currentTimeMillis();
    var live = mounting.stream().filter(w -> w.takes(timeoutMs, now)).toList();
    if (live.isEmpty()) {
      throw new WorkerUnavailable("every worker that could run " + function + " drains before its time limit of "
          + timeoutMs + " ms would end (their allocations end: hpcfaas.drain)", true);
    }
    var ordered = live.stream()
        .sorted(Comparator.comparingLong((Worker w) -> Rendezvous.score(function, w.address())).reversed())
        .toList();
    Worker chosen = null;
    for (var w : ordered) {
      if (chosen == null || free(w) > free(chosen)) {
        chosen = w;
      }
      if (free(chosen) > 0) {
        break;
      }
    }
    nodeLoad.computeIfAbsent(chosen.address(), a -> new AtomicInteger()).incrementAndGet();
    running.computeIfAbsent(chosen.address(), a -> ConcurrentHashMap.newKeySet()).add(call);
    return new Ticket(chosen, call);
  }

  /** The worker's slots not taken by this gateway's calls (negative: calls queue there). */
  private int free(Worker w) {
    return w.slots() - nodeLoad.computeIfAbsent(w.address(), a -> new AtomicInteger()).get();
  }

  /** The WASM slots of every live worker not taken by this gateway's calls; at least 1. */
  public int freeSlots() {
    int free = 0;
    for (var w : workers) {
      free += Math.max(0, free(w));
    }
    return Math.max(1, free);
  }

  /** Calls in flight from this gateway on each node. */
  public Map<Address, Integer> load() {
    var snapshot = new java.util.TreeMap<Address, Integer>(Comparator.comparing(Address::toString));
    nodeLoad.forEach((a, n) -> snapshot.put(a, n.get()));
    return snapshot;
  }

  /** The live workers now; calls in flight on the {@code lost} nodes fail at once. */
  synchronized void update(List<Worker> live, Set<Address> lost) {
    workers = List.copyOf(live);
    for (var node : lost) {
      var calls = running.remove(node);
      if (calls != null) {
        calls.forEach(c -> c.completeExceptionally(
            new WorkerUnavailable("worker " + node + " was lost while running the call", false)));
      }
    }
  }
}
