package org.hpcfaas.core;

import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One call as a gateway received it, and as a worker on the same node takes it: its id, its input whole
 * ({@code inputBytes} not null: it can be retried) or as a stream, the guest's arguments and environment,
 * and whether the output should stream back as it is written.
 */
public record Call(String id, byte[] inputBytes, Source<ByteString, ?> inputStream, GuestParameters guest,
    boolean streamOutput) {}
