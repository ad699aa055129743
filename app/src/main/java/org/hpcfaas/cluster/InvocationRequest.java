package org.hpcfaas.cluster;

/**
 * One invocation as it travels to a worker: its id, its input, the guest's arguments and environment, and
 * whether the output should stream back as it is written (else it comes back whole, when the function has ended).
 */
public record InvocationRequest(String id, Payload input, GuestParameters guest, boolean streamOutput)
    implements CborSerializable {}
