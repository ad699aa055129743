package org.hpcfaas.engine;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The only file system a guest's Context can reach: the host directories of its preopens and nothing
 * else. GraalWasm checks guest paths lexically and follows symbolic links only in the last component;
 * here every path is checked again on the host, after resolving every symbolic link on its way, so that
 * no {@code ..}, absolute path or link leads out of a mount, and writes into read-only mounts fail with
 * EACCES (a {@link SecurityException}, which GraalWasm turns into that errno). Writes into the scratch
 * directory count against its quota.
 */
final class ConfinedFileSystem implements FileSystem {
  private record Root(Path dir, Path guest, boolean readOnly) {}

  /** Options that change a file as it is opened; WRITE alone does not (GraalWasm asks for it on every open). */
  private static final Set<OpenOption> CHANGES = Set.of(StandardOpenOption.APPEND, StandardOpenOption.CREATE,
      StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.DELETE_ON_CLOSE);

  private final FileSystem host = FileSystem.newDefaultFileSystem();
  private final List<Root> roots;
  private final ScratchSpace scratch;
  private final PathCallHints hints;

  /** {@code preopens} with host paths that exist; {@code scratch} is also writable. */
  ConfinedFileSystem(List<Preopen> preopens, ScratchSpace scratch, PathCallHints hints) throws IOException {
    this.hints = hints;
    var list = new java.util.ArrayList<Root>();
    for (var p : preopens) {
      list.add(new Root(p.hostPath().toRealPath(), Path.of(p.guestPath()), p.readOnly()));
    }
    list.add(new Root(scratch.dir(), Path.of(Preopen.SCRATCH), false));
    // The deepest directory first; of two mounts of one directory, the read-only one.
    list.sort(Comparator.comparingInt((Root r) -> r.dir().getNameCount()).reversed()
        .thenComparing(r -> !r.readOnly()));
    this.roots = List.copyOf(list);
    this.scratch = scratch;
  }

  /**
   * The host path for {@code path}. GraalWasm hands over host paths, except in a few calls (fd_readdir
   * lists the guest's path of a directory) where it hands over the guest's: those are mapped through
   * the mount they name. Anything else is refused later by {@link #check}.
   */
  private Path host(Path path) {
    hints.clear();
    var absolute = host.toAbsolutePath(path).normalize();
    for (var r : roots) {
      if (absolute.startsWith(r.dir())) {
        return absolute;
      }
    }
    Root best = null;
    for (var r : roots) {
      if (absolute.startsWith(r.guest()) && (best == null || r.guest().getNameCount() > best.guest().getNameCount())) {
        best = r;
      }
    }
    if (best != null) {
      return best.dir().resolve(best.guest().relativize(absolute).toString());
    }
    // Above a mount (the ".." entry of its listing): the mount itself stands in, nothing above it shows.
    for (var r : roots) {
      if (r.guest().startsWith(absolute)) {
        return r.dir();
      }
    }
    return absolute;
  }

  /**
   * The root {@code path} lies in, once every link on its way is resolved ({@code followLast}: the last
   * component too); throws when it lies outside every root, or when a write is asked of a read-only one.
   * GraalWasm turns a refused write (a SecurityException) into EACCES where it writes; a refused read is
   * an IOException, which every read path of it turns into an errno.
   */
  private Root check(Path path, boolean followLast, boolean write) throws IOException {
    var absolute = host.toAbsolutePath(path).normalize();
    var lexical = rootOf(absolute);
    if (lexical == null) {
      throw denied(path, write);
    }
    if (!followLast && lexical.dir().equals(absolute)) {
      if (write) {
        throw new SecurityException("a mount itself cannot be removed or replaced: " + path);
      }
      return lexical;
    }
    Path existing = followLast ? absolute : absolute.getParent();
    Path rest = Path.of("");
    while (true) {
      try {
        var real = host.toRealPath(existing).resolve(rest).normalize();
        var root = rootOf(real);
        if (root == null) {
          throw denied(path, write);
        }
        if (write && (root.readOnly() || lexical.readOnly())) {
          throw new SecurityException("read-only mount: " + path);
        }
        if (write && inScratch(root)) {
          scratch.touch();
        }
        return root;
      } catch (NoSuchFileException e) {
        var parent = existing.getParent();
        if (parent == null) {
          throw denied(path, write);
        }
        rest = existing.getFileName().resolve(rest);
        existing = parent;
      } catch (IOException e) {
        throw hints.saw(e);
      }
    }
  }

  private SeekableByteChannel openHost(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
      throws IOException {
    try {
      return host.newByteChannel(path, options, attrs);
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  private Root rootOf(Path real) {
    for (var r : roots) {
      if (real.startsWith(r.dir())) {
        return r;
      }
    }
    return null;
  }

  private RuntimeException denied(Path path, boolean write) throws IOException {
    hints.refused();
    var reason = "outside the function's mounts";
    if (!write) {
      throw new java.nio.file.AccessDeniedException(path.toString(), null, reason);
    }
    return new SecurityException(reason + ": " + path);
  }

  private boolean follows(LinkOption... options) {
    return !hints.noFollow() && !List.of(options).contains(LinkOption.NOFOLLOW_LINKS);
  }

  /** {@code options}, with NOFOLLOW_LINKS when the shim marked the call as not following a last link. */
  private LinkOption[] links(LinkOption... options) {
    return follows(options) ? options : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
  }

  private boolean inScratch(Root root) {
    return root.dir().equals(scratch.dir());
  }

  @Override
  public Path parsePath(URI uri) {
    return host.parsePath(uri);
  }

  @Override
  public Path parsePath(String path) {
    return host.parsePath(path);
  }

  @Override
  public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
    path = host(path);
    var root = check(path, follows(linkOptions), false);
    if (root.readOnly() && modes.contains(AccessMode.WRITE)) {
      throw new java.nio.file.AccessDeniedException(path.toString(), null, "read-only mount");
    }
    try {
      host.checkAccess(path, modes, links(linkOptions));
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    dir = host(dir);
    check(dir, false, true);
    try {
      host.createDirectory(dir, attrs);
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public void delete(Path path) throws IOException {
    path = host(path);
    var root = check(path, false, true);
    long size = inScratch(root) ? sizeOf(path) : 0;
    try {
      host.delete(path);
    } catch (IOException e) {
      throw hints.saw(e);
    }
    scratch.shrink(size);
  }

  @Override
  public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
      throws IOException {
    path = host(path);
    boolean follow = !options.contains(LinkOption.NOFOLLOW_LINKS);
    boolean changes = options.stream().anyMatch(CHANGES::contains);
    var root = check(path, follow, changes);
    if (options.contains(StandardOpenOption.WRITE) && !changes) {
      return new WriteOnDemandChannel(path, options, attrs, follow);
    }
    if (options.contains(StandardOpenOption.APPEND)) {
      // NIO cannot read a file opened to append (GraalWasm then traps on a read): append by hand instead.
      var readable = new java.util.HashSet<OpenOption>(options);
      readable.remove(StandardOpenOption.APPEND);
      readable.add(StandardOpenOption.READ);
      readable.add(StandardOpenOption.WRITE);
      return new AppendingChannel(quota(root, path, readable, attrs));
    }
    return quota(root, path, options, attrs);
  }

  private SeekableByteChannel quota(Root root, Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
      throws IOException {
    if (!options.contains(StandardOpenOption.WRITE) && !options.contains(StandardOpenOption.APPEND) || !inScratch(root)) {
      return openHost(path, options, attrs);
    }
    long before = sizeOf(path);
    var channel = openHost(path, options, attrs);
    scratch.shrink(before - channel.size());
    return new QuotaChannel(channel, scratch);
  }

  private long sizeOf(Path path) {
    try {
      var size = host.readAttributes(path, "size", LinkOption.NOFOLLOW_LINKS).get("size");
      return size instanceof Long l ? l : 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
    dir = host(dir);
    check(dir, true, false);
    try {
      return host.newDirectoryStream(dir, filter);
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public Path toAbsolutePath(Path path) {
    return host.toAbsolutePath(path);
  }

  @Override
  public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
    path = host(path);
    check(path, follows(linkOptions), false);
    try {
      return host.toRealPath(path, linkOptions);
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
    path = host(path);
    check(path, follows(options), false);
    try {
      return host.readAttributes(path, attributes, links(options));
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
    path = host(path);
    check(path, follows(options), true);
    try {
      host.setAttribute(path, attribute, value, links(options));
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    source = host(source);
    target = host(target);
    check(source, true, false);
    check(target, false, true);
    try {
      host.copy(source, target, options);
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    source = host(source);
    target = host(target);
    check(source, false, true);
    check(target, false, true);
    try {
      // rename(2) itself: it replaces a file or an empty directory, and answers POSIX's errors otherwise.
      host.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public void createLink(Path link, Path existing) throws IOException {
    link = host(link);
    existing = host(existing);
    check(link, false, true);
    check(existing, false, false);
    try {
      host.createLink(link, existing);
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
    link = host(link);
    check(link, false, true);
    // GraalWasm hands over the target resolved against the directory descriptor, as a host path; the link
    // keeps the guest's own text (relative to the link's directory, as POSIX has it), so that it reads back
    // as written and holds wherever else the volume is mounted. Following it is checked like any path.
    var text = hints.takeLinkTarget();
    var relative = text != null ? host.parsePath(text) : link.getParent().relativize(target);
    try {
      host.createSymbolicLink(link, relative, attrs);
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  @Override
  public Path readSymbolicLink(Path link) throws IOException {
    link = host(link);
    check(link, false, false);
    try {
      var target = host.readSymbolicLink(link);
      hints.readLink(guestText(target));
      return target;
    } catch (IOException e) {
      throw hints.saw(e);
    }
  }

  /** A link's target as the guest sees it: an absolute host path in a mount becomes its guest path. */
  private String guestText(Path target) {
    if (target.isAbsolute()) {
      for (var r : roots) {
        if (target.normalize().startsWith(r.dir())) {
          return r.guest().resolve(r.dir().relativize(target.normalize()).toString()).toString();
        }
      }
    }
    return target.toString();
  }

  @Override
  public boolean isSameFile(Path path1, Path path2, LinkOption... options) throws IOException {
    path1 = host(path1);
    path2 = host(path2);
    check(path1, follows(options), false);
    check(path2, follows(options), false);
    return host.isSameFile(path1, path2, options);
  }

  /**
   * A file GraalWasm opened for reading and writing: it is read-only until the guest first writes (or
   * truncates), so that read-only files and mounts can be read; the write then needs the right to write.
   */
  private final class WriteOnDemandChannel extends ForwardingChannel {
    private final Path path;
    private final Set<? extends OpenOption> options;
    private final FileAttribute<?>[] attrs;
    private final boolean follow;
    private boolean writable;

    WriteOnDemandChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>[] attrs, boolean follow)
        throws IOException {
      super(openHost(path, readOnly(options), attrs));
      this.path = path;
      this.options = options;
      this.attrs = attrs;
      this.follow = follow;
    }

    private static Set<OpenOption> readOnly(Set<? extends OpenOption> options) {
      var readOnly = new java.util.HashSet<OpenOption>(options);
      readOnly.remove(StandardOpenOption.WRITE);
      readOnly.add(StandardOpenOption.READ);
      return readOnly;
    }

    private void becomeWritable() throws IOException {
      if (writable) {
        return;
      }
      Root root;
      try {
        root = check(path, follow, true);
      } catch (SecurityException e) {
        throw new java.nio.file.AccessDeniedException(path.toString(), null, e.getMessage());
      }
      var replacement = quota(root, path, options, attrs);
      replacement.position(channel.position());
      channel.close();
      channel = replacement;
      writable = true;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      becomeWritable();
      return channel.write(src);
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
      becomeWritable();
      channel.truncate(size);
      return this;
    }
  }
}
