package org.hpcfaas.engine;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * One call of a function as the engine sees it: the streams bound to the guest's stdin and stdout, its
 * environment, and how many output bytes it may write ({@code outputLimit < 0}: unlimited).
 */
public record Invocation(
    String id, String function, Map<String, String> env, InputStream stdin, OutputStream stdout, long outputLimit) {}
