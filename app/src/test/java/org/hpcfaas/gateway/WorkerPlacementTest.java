package org.hpcfaas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.Address;
import org.hpcfaas.core.Worker;
import org.hpcfaas.core.WorkerUnavailable;
import org.junit.jupiter.api.Test;

/** Placement by capacity: a quiet function stays on one worker, a hot one uses every worker's slots. */
class WorkerPlacementTest {
  private static Worker worker(int n, int slots, String... volumes) {
    return new Worker(new Address("pekko", "hpcfaas", "10.0.0." + n, 2551), "http://10.0.0." + n + ":8080", slots,
        Set.of(volumes));
  }

  private static WorkerPlacement placement(Worker... workers) {
    var p = new WorkerPlacement();
    p.update(List.of(workers), Set.of());
    return p;
  }

  private static Map<Address, Integer> spread(List<WorkerPlacement.Ticket> tickets) {
    var perNode = new HashMap<Address, Integer>();
    tickets.forEach(t -> perNode.merge(t.worker().address(), 1, Integer::sum));
    return perNode;
  }

  @Test
  void aQuietFunctionStaysOnOneWorker() {
    var p = placement(worker(1, 2), worker(2, 2), worker(3, 2));
    var first = p.begin("quiet", Set.of(), new CompletableFuture<>(), null);
    first.end();
    for (int i = 0; i < 20; i++) {
      var t = p.begin("quiet", Set.of(), new CompletableFuture<>(), null);
      assertEquals(first.worker(), t.worker(), "one call at a time: always the same worker");
      t.end();
    }
  }

  @Test
  void eightCallsInFlightOnThreeWorkersOfTwoSlotsUseEveryWorker() {
    var p = placement(worker(1, 2), worker(2, 2), worker(3, 2));
    var tickets = new ArrayList<WorkerPlacement.Ticket>();
    for (int i = 0; i < 6; i++) {
      tickets.add(p.begin("hot", Set.of(), new CompletableFuture<>(), null));
    }
    assertEquals(Map.of(worker(1, 2).address(), 2, worker(2, 2).address(), 2, worker(3, 2).address(), 2), spread(tickets),
        "six calls fill the six slots, two per worker");
    tickets.add(p.begin("hot", Set.of(), new CompletableFuture<>(), null));
    tickets.add(p.begin("hot", Set.of(), new CompletableFuture<>(), null));
    assertEquals(3, spread(tickets).size());
    spread(tickets).values().forEach(n -> assertEquals(true, n >= 2 && n <= 3, spread(tickets).toString()));
  }

  @Test
  void aFunctionSpreadsOnlyOnceTheWorkersItUsesAreFull() {
    var p = placement(worker(1, 4), worker(2, 4));
    var tickets = new ArrayList<WorkerPlacement.Ticket>();
    for (int i = 0; i < 4; i++) {
      tickets.add(p.begin("f", Set.of(), new CompletableFuture<>(), null));
    }
    assertEquals(1, spread(tickets).size(), "four calls fit in one worker's four slots");
    tickets.add(p.begin("f", Set.of(), new CompletableFuture<>(), null));
    assertEquals(2, spread(tickets).size(), "the fifth goes to the next worker");
    tickets.forEach(WorkerPlacement.Ticket::end);
    var again = p.begin("f", Set.of(), new CompletableFuture<>(), null);
    assertEquals(tickets.get(0).worker(), again.worker(), "and it shrinks back when the load falls");
  }

  @Test
  void aBiggerWorkerTakesMoreCalls() {
    var p = placement(worker(1, 1), worker(2, 6));
    var tickets = new ArrayList<WorkerPlacement.Ticket>();
    for (int i = 0; i < 7; i++) {
      tickets.add(p.begin("f" + (i % 3), Set.of(), new CompletableFuture<>(), null));
    }
    assertEquals(6, spread(tickets).get(worker(2, 6).address()));
    assertEquals(1, spread(tickets).get(worker(1, 1).address()));
  }

  @Test
  void onlyWorkersWithTheFunctionsVolumesAreChosen() {
    var p = placement(worker(1, 2), worker(2, 2, "lustre"));
    for (int i = 0; i < 5; i++) {
      assertEquals(worker(2, 2, "lustre").address(), p.begin("f", Set.of("lustre"), new CompletableFuture<>(), null)
          .worker().address());
    }
    assertThrows(WorkerUnavailable.class, () -> p.begin("f", Set.of("gpfs"), new CompletableFuture<>(), null));
  }

  @Test
  void aWorkerWhoseAllocationEndsGetsOnlyCallsThatEndBeforeIt() {
    long inOneMinute = System.currentTimeMillis() + 60_000;
    var draining = new Worker(new Address("pekko", "hpcfaas", "10.0.0.1", 2551), "http://10.0.0.1:8080", 4, Set.of(),
        inOneMinute);
    var p = placement(draining, worker(2, 1));
    for (int i = 0; i < 5; i++) {
      assertEquals(worker(2, 1).address(), p.begin("long", Set.of(), 3_600_000, new CompletableFuture<>(), null)
          .worker().address(), "an hour-long call never goes to a worker that drains within a minute, even when it is idle");
    }
    assertEquals(draining.address(), p.begin("short", Set.of(), 1_000, new CompletableFuture<>(), null).worker().address(),
        "a short call still may: the draining worker has the free slots");
    var alone = placement(draining);
    var refused = assertThrows(WorkerUnavailable.class,
        () -> alone.begin("long", Set.of(), 3_600_000, new CompletableFuture<>(), null));
    assertEquals(true, refused.neverStarted());
  }
}
