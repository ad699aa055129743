package org.hpcfaas.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/** A writable channel into a scratch directory whose growth counts against its quota. */
final class QuotaChannel extends ForwardingChannel {
  private final ScratchSpace scratch;

  QuotaChannel(SeekableByteChannel channel, ScratchSpace scratch) {
    super(channel);
    this.scratch = scratch;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    long growth = channel.position() + src.remaining() - channel.size();
    if (growth > 0) {
      scratch.grow(growth);
    }
    return channel.write(src);
  }

  @Override
  public SeekableByteChannel truncate(long size) throws IOException {
    long before = channel.size();
    channel.truncate(size);
    scratch.shrink(before - channel.size());
    return this;
  }
}
