package org.hpcfaas.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outputs this node owns, one file per key in {@code dir}, at most {@code maxBytes} together: beyond
 * that the least recently used go first. The files outlive a restart (their order then is their age).
 */
final class ResultStore {
  private static final Logger log = LoggerFactory.getLogger(ResultStore.class);
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");

  private final Path dir;
  private final long maxBytes;
  private final LinkedHashMap<String, Long> sizes = new LinkedHashMap<>(16, 0.75f, true);
  private long totalBytes;

  ResultStore(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(dir);
      try (var files = Files.list(dir)) {
        files.filter(f -> KEY.matcher(f.getFileName().toString()).matches())
            .sorted(Comparator.comparingLong(ResultStore::modified))
            .forEach(f -> {
              long size = size(f);
              sizes.put(f.getFileName().toString(), size);
              totalBytes += size;
            });
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the result cache in " + dir, e);
    }
    evict();
  }

  synchronized Optional<byte[]> get(String key) {
    if (!KEY.matcher(key).matches() || sizes.get(key) == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(dir.resolve(key)));
    } catch (IOException e) {
      totalBytes -= sizes.remove(key);
      return Optional.empty();
    }
  }

  synchronized void put(String key, byte[] output) {
    if (!KEY.matcher(key).matches() || output.length > maxBytes || sizes.containsKey(key)) {
      return;
    }
    try {
      var tmp = Files.createTempFile(dir, "put", ".tmp");
      Files.write(tmp, output);
      Files.move(tmp, dir.resolve(key), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("Cannot store a result in the cache {}: {}", dir, e.toString());
      return;
    }
    sizes.put(key, (long) output.length);
    totalBytes += output.length;
    evict();
  }

  synchronized long bytes() {
    return totalBytes;
  }

  private void evict() {
    var it = sizes.entrySet().iterator();
    while (totalBytes > maxBytes && it.hasNext()) {
      var oldest = it.next();
      try {
        Files.deleteIfExists(dir.resolve(oldest.getKey()));
      } catch (IOException e) {
        log.warn("Cannot remove a cached result: {}", e.toString());
      }
      totalBytes -= oldest.getValue();
      it.remove();
    }
  }

  private static long modified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0;
    }
  }
}
