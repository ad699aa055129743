package org.hpcfaas.core;

/** A volume a function sees at {@code guestPath} (absolute), narrowed to read-only when {@code readOnly}. */
public record Mount(String volume, String guestPath, boolean readOnly) {
  /** Where every guest sees its private scratch directory, so no volume may be mounted there. */
  public static final String SCRATCH = "/tmp";
}
