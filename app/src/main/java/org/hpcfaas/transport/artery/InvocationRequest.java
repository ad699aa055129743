package org.hpcfaas.transport.artery;

import java.util.Map;
import org.hpcfaas.core.CborSerializable;
import org.hpcfaas.core.Payload;

/**
 * One invocation as it travels to a worker: its id, its input, the guest's environment, and whether the
 * output should stream back as it is written (else it comes back whole, when the function has ended).
 */
public record InvocationRequest(String id, Payload input, Map<String, String> env, boolean streamOutput)
    implements CborSerializable {}
