package org.hpcfaas.cluster;

import java.util.Map;

/** One invocation as it travels to a worker: its id, the whole input (bulk) and the guest's environment. */
public record InvocationRequest(String id, byte[] input, Map<String, String> env) implements CborSerializable {}
