package org.hpcfaas.wasm;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The dedicated, bounded pool of threads that run WebAssembly; nothing else runs guest code. */
public final class WasmExecutor implements AutoCloseable {
  private final int threads;
  private final ExecutorService pool;
  private final AtomicInteger busy = new AtomicInteger();

  public WasmExecutor(int threads) {
    this.threads = threads;
    var counter = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      var t = new Thread(r, "hpcfaas-wasm-" + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public int threads() {
    return threads;
  }

  /** Threads running guest code right now. */
  public int busy() {
    return busy.get();
  }

  public <T> CompletionStage<T> submit(Supplier<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      busy.incrementAndGet();
      try {
        return work.get();
      } finally {
        busy.decrementAndGet();
      }
    }, pool);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
