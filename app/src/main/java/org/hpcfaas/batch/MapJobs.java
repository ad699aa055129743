package org.hpcfaas.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.hpcfaas.core.InvocationIds;

/**
 * Asynchronous maps accepted by this gateway: run in the background, their progress and results kept for
 * {@code retention}, at most {@code maxJobs} of them and {@code maxResultBytes} of outputs together (the
 * oldest finished maps go first).
 */
public final class MapJobs {
  /** How long and how much is kept. */
  public record Settings(Duration retention, int maxJobs, long maxResultBytes) {}

  /** What is known of one map now: {@code done} of {@code total} records have ended, {@code failed} of them failed. */
  public record Progress(String id, String function, String status, long total, long done, long failed,
      Instant submitted, Instant finished) {}

  public static final String RUNNING = "running";
  /** Every record ended (each may still have failed alone). */
  public static final String COMPLETED = "completed";
  /** The map itself broke (not one record): its results are those that ended before. */
  public static final String FAILED = "failed";

  private static final class Job {
    final String id;
    final String function;
    final long total;
    final Instant submitted = Instant.now();
    final List<RecordResult> results = new ArrayList<>();
    long failed;
    long bytes;
    String status = RUNNING;
    Instant finished;

    Job(String id, String function, long total) {
      this.id = id;
      this.function = function;
      this.total = total;
    }

    Progress progress() {
      return new Progress(id, function, status, total, results.size(), failed, submitted, finished);
    }
  }

  private final Settings settings;
  private final Materializer materializer;
  private final LinkedHashMap<String, Job> jobs = new LinkedHashMap<>();
  private long totalBytes;

  public MapJobs(Settings settings, Materializer materializer) {
    this.settings = settings;
    this.materializer = materializer;
  }

  /** Starts running {@code records} through {@code run} in the background; answers the map's progress at once. */
  public Progress start(String function, List<MapRecord> records, Flow<MapRecord, RecordResult, NotUsed> run,
      Runnable whenDone) {
    var job = new Job(InvocationIds.next(), function, records.size());
    synchronized (this) {
      expire();
      jobs.put(job.id, job);
    }
    Source.from(records).via(run)
        .runForeach(r -> add(job, r), materializer)
        .whenComplete((done, error) -> {
          synchronized (this) {
            job.status = error == null ? COMPLETED : FAILED;
            job.finished = Instant.now();
          }
          whenDone.run();
        });
    return progress(job);
  }

  private synchronized void add(Job job, RecordResult result) {
    job.results.add(result);
    if (!result.succeeded()) {
      job.failed++;
    }
    long size = result.output() == null ? 0 : result.output().length;
    job.bytes += size;
    totalBytes += size;
    expire();
  }

  private synchronized Progress progress(Job job) {
    return job.progress();
  }

  public synchronized Optional<Progress> find(String id) {
    expire();
    return Optional.ofNullable(jobs.get(id)).map(Job::progress);
  }

  /** The results of the records that have ended so far, in input order. */
  public synchronized Optional<List<RecordResult>> results(String id) {
    expire();
    return Optional.ofNullable(jobs.get(id)).map(job -> job.results.stream()
        .sorted(Comparator.comparingLong(RecordResult::index)).toList());
  }

  private void expire() {
    var cutoff = Instant.now().minus(settings.retention());
    var it = jobs.values().iterator();
    while (it.hasNext()) {
      var job = it.next();
      boolean over = jobs.size() > settings.maxJobs() || totalBytes > settings.maxResultBytes()
          || job.submitted.isBefore(cutoff);
      if (!over) {
        break;
      }
      if (job.finished == null && !job.submitted.isBefore(cutoff)) {
        continue;
      }
      totalBytes -= job.bytes;
      it.remove();
    }
  }
}
