package org.hpcfaas.core;

import java.nio.charset.StandardCharsets;

/**
 * How a call that a function made of another function ended, as the caller's guest sees it: a status (the
 * numbers of HPCFAAS_OK ... in functions-sdk/include/hpcfaas.h) and the child's output, or, when it did not
 * succeed, what went wrong as text.
 */
public record ChildResult(int status, byte[] output) {
  public static final int OK = 0;
  public static final int NO_FUNCTION = 1;
  public static final int FAILED = 2;
  public static final int TOO_DEEP = 3;
  public static final int TRUNCATED = 4;
  public static final int BAD_HANDLE = 5;
  public static final int UNAVAILABLE = 6;
  public static final int TIMED_OUT = 7;
  public static final int TOO_MANY = 8;

  public static ChildResult problem(int status, String text) {
    return new ChildResult(status, text.getBytes(StandardCharsets.UTF_8));
  }
}
