package org.hpcfaas.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Map;

/**
 * What the runtime's file system learns during a guest's path call that GraalWasm's WASI module loses,
 * and what the shim tells it about the call. GraalWasm turns most host errors into EIO; the file system
 * keeps the WASI errno the host's error stands for, and the shim answers that one. The shim marks calls
 * that must not follow a last symbolic link (GraalWasm's stat and set-times always follow), and the
 * file system keeps the text of the last link it read (GraalWasm reports a link's text as an absolute
 * guest path, truncated to the guest's buffer), and is told the text of a link about to be made. One per Context (a guest runs on one thread at a time).
 */
final class PathCallHints {
  /**
   * strerror texts of host errors (how the reason of a {@link FileSystemException} begins) and their WASI
   * errno; the JDK's own loop check says "Too many levels of symbolic links or unable to access ...".
   * Under a locale whose strerror is not English a host error stays EIO, as the builtin has it.
   */
  private static final Map<String, Integer> ERRNO_OF_REASON = Map.of(
      "Too many levels of symbolic links", 32,
      "Directory not empty", 55,
      "Is a directory", 31,
      "Not a directory", 54,
      "File exists", 20,
      "Operation not permitted", 63,
      "Invalid cross-device link", 75,
      "File name too long", 37);

  private volatile int errno;
  private volatile boolean noFollow;
  private volatile byte[] link;
  private volatile String linkTarget;

  /** A host path call begins: what an earlier one saw no longer counts. */
  void clear() {
    errno = 0;
    link = null;
  }

  /** Keeps the errno {@code e} stands for, when it stands for one (else what was kept stays); returns {@code e}. */
  <E extends java.io.IOException> E saw(E e) {
    int seen = errnoOf(e);
    if (seen != 0) {
      errno = seen;
    }
    return e;
  }

  private static int errnoOf(java.io.IOException e) {
    return switch (e) {
      case NoSuchFileException n -> 44;
      case DirectoryNotEmptyException d -> 55;
      case NotDirectoryException n -> 54;
      case FileAlreadyExistsException f -> 20;
      case FileSystemException f when f.getReason() != null -> ERRNO_OF_REASON.entrySet().stream()
          .filter(r -> f.getReason().startsWith(r.getKey())).mapToInt(Map.Entry::getValue).findFirst().orElse(0);
      default -> 0;
    };
  }

  /** A path led out of the function's mounts: ENOTCAPABLE, as WASI has it. */
  void refused() {
    errno = 76;
  }

  /** The errno of the last host error of this call, 0 if none; asking clears it. */
  int takeErrno() {
    int was = errno;
    errno = 0;
    return was;
  }

  void noFollow(boolean on) {
    noFollow = on;
  }

  /** Whether the current call must not follow a last symbolic link, whatever GraalWasm asks for. */
  boolean noFollow() {
    return noFollow;
  }

  void readLink(String text) {
    link = text.getBytes(StandardCharsets.UTF_8);
  }

  /** The target of the link the guest is about to make, as it wrote it. */
  void linkTarget(String text) {
    linkTarget = text;
  }

  /** The target text the guest gave for the link being made, or null; asking clears it. */
  String takeLinkTarget() {
    var was = linkTarget;
    linkTarget = null;
    return was;
  }

  /** The text of the link the current call read, or null; asking clears it. */
  byte[] takeLink() {
    var was = link;
    link = null;
    return was;
  }
}
