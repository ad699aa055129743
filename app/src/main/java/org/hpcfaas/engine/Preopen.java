package org.hpcfaas.engine;

import java.nio.file.Path;
import org.hpcfaas.core.Mount;

/** A host directory a guest sees at {@code guestPath} (an absolute path), read-only or writable. */
public record Preopen(String guestPath, Path hostPath, boolean readOnly) {
  /** Where every guest sees its private scratch directory, preopened after its own preopens. */
  public static final String SCRATCH = Mount.SCRATCH;
}
