package org.hpcfaas.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * A file opened to append that can also be read: every write goes to the end. NIO cannot read a file
 * opened with APPEND, and GraalWasm traps when a guest reads one.
 */
final class AppendingChannel extends ForwardingChannel {
  AppendingChannel(SeekableByteChannel channel) {
    super(channel);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    channel.position(channel.size());
    return channel.write(src);
  }
}
