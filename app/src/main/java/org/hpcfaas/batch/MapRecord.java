package org.hpcfaas.batch;

import java.util.List;

/**
 * One record of a map: its place in the input (from 0), the stdin of its invocation, its arguments (null:
 * the map's own), and why it cannot run when it could not be read ({@code invalid} not null).
 */
public record MapRecord(long index, byte[] stdin, List<String> args, String invalid) {
  public MapRecord {
    args = args == null ? null : List.copyOf(args);
  }
}
