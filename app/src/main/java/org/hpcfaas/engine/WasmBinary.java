package org.hpcfaas.engine;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hpcfaas.core.ModuleKind;

/**
 * The structure of a WebAssembly binary, read just deep enough to know how to run it and to cap its
 * memory. Full validation is left to GraalWasm; this catches what it would accept but we must not.
 */
public final class WasmBinary {
  public static final int PAGE_BYTES = 64 * 1024;
  /** The module the guest's shimmed WASI functions and its memory are imported from (see {@link WasiShim}). */
  public static final String SHIM_MODULE = "hpcfaas_wasi";
  private static final String WASI_MODULE = "wasi_snapshot_preview1";
  /**
   * The WASI calls the runtime supplies: poll_oneoff and the argv and environment calls as host functions,
   * the others from the shim.
   */
  static final Set<String> SHIMMED = Set.of("args_get", "args_sizes_get", "environ_get", "environ_sizes_get",
      "fd_allocate", "fd_fdstat_get", "fd_filestat_set_size",
      "fd_filestat_set_times", "fd_prestat_dir_name", "fd_pread", "fd_pwrite", "fd_read", "fd_seek", "fd_tell",
      "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link", "path_open",
      "path_readlink", "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file", "poll_oneoff",
      "sock_accept", "sock_recv", "sock_send", "sock_shutdown");
  private static final int IMPORT_SECTION = 2;
  private static final int MEMORY_SECTION = 5;
  private static final int START_SECTION = 8;
  private static final int MEMORY_KIND = 2;

  private final byte[] bytes;
  private final List<Section> sections;
  private final Map<String, Export> exports;
  private final List<MemoryLimits> memories;
  private final List<Import> imports;
  private final Signatures signatures;

  private record Section(int id, int headerStart, int start, int end) {}

  /** One import entry: its names, its kind, and where its bytes are (the descriptor follows the names). */
  private record Import(String module, String field, int kind, int start, int descriptorStart, int end) {}

  private record Export(int kind, long index) {}

  /** A function type: its parameter and result value types. */
  private record FuncType(List<Integer> params, List<Integer> results) {}

  /**
   * The types of the module's functions, imported ones first; {@code known} is false when the type
   * section uses encodings this reader does not follow (GC proposal), and then signatures go unchecked.
   */
  private static final class Signatures {
    final List<FuncType> types = new ArrayList<>();
    final List<Long> functionTypes = new ArrayList<>();
    boolean known = true;

    FuncType of(long function) {
      if (!known || function >= functionTypes.size() || functionTypes.get((int) function) >= types.size()) {
        return null;
      }
      return types.get(functionTypes.get((int) function).intValue());
    }
  }

  private static final int FUNC = 0;
  private static final int I32 = 0x7f;

  /** Limits of one linear memory, in 64 KiB pages; max is -1 when the module sets none. */
  public record MemoryLimits(long min, long max) {}

  private WasmBinary(byte[] bytes, List<Section> sections, Map<String, Export> exports, List<MemoryLimits> memories,
      List<Import> imports, Signatures signatures) {
    this.bytes = bytes;
    this.sections = sections;
    this.exports = exports;
    this.memories = memories;
    this.imports = imports;
    this.signatures = signatures;
  }

  public static WasmBinary parse(byte[] bytes) throws InvalidModuleException {
    if (bytes.length < 8
        || bytes[0] != 0 || bytes[1] != 'a' || bytes[2] != 's' || bytes[3] != 'm') {
      throw new InvalidModuleException("not a WebAssembly module (the \\0asm magic number is missing)");
    }
    if (bytes[4] != 1 || bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0) {
      throw new InvalidModuleException("unsupported WebAssembly binary version (only version 1 is supported)");
    }
    var sections = new ArrayList<Section>();
    var exports = new HashMap<String, Export>();
    var memories = new ArrayList<MemoryLimits>();
    var imports = new ArrayList<Import>();
    var signatures = new Signatures();
    var reader = new Reader(bytes, 8);
    try {
      while (reader.pos < bytes.length) {
        int headerStart = reader.pos;
        int id = reader.u8();
        long size = reader.u32();
        int start = reader.pos;
        if (size > bytes.length - start) {
          throw new InvalidModuleException("truncated module: section " + id + " declares " + size
              + " bytes but only " + (bytes.length - start) + " remain");
        }
        int end = start + (int) size;
        sections.add(new Section(id, headerStart, start, end));
        var body = new Reader(bytes, start, end);
        switch (id) {
          case 1 -> readTypes(body, signatures);
          case 2 -> readImports(body, signatures, imports);
          case 3 -> readFunctions(body, signatures);
          case 5 -> readMemories(body, memories);
          case 7 -> readExports(body, exports);
          default -> { }
        }
        reader.pos = end;
      }
    } catch (IndexOutOfBoundsException e) {
      throw new InvalidModuleException("truncated module: unexpected end of " + (reader.pos >= bytes.length ? "file" : "section"));
    }
    return new WasmBinary(bytes, sections, exports, memories, imports, signatures);
  }

  /** Command or reactor, from the exports; a module that is neither cannot be invoked. */
  public ModuleKind kind() throws InvalidModuleException {
    if (exports.containsKey("_initialize")) {
      requireFunction("_initialize", List.of());
    }
    if (exports.containsKey("hpcfaas_handle")) {
      requireFunction("hpcfaas_handle", List.of(I32));
      return ModuleKind.REACTOR;
    }
    if (exports.containsKey("_start")) {
      requireFunction("_start", List.of());
      return ModuleKind.COMMAND;
    }
    throw new InvalidModuleException(
        "the module exports neither _start (a command: main reads stdin, writes stdout) nor hpcfaas_handle (a reactor)");
  }

  /** The export must be a function taking nothing and returning {@code results}. */
  private void requireFunction(String name, List<Integer> results) throws InvalidModuleException {
    var export = exports.get(name);
    String expected = name + " must be a function " + (results.isEmpty() ? "() -> ()" : "() -> i32");
    if (export.kind() != FUNC) {
      throw new InvalidModuleException(expected + ", but the module exports something else by that name");
    }
    var type = signatures.of(export.index());
    if (type != null && (!type.params().isEmpty() || !type.results().equals(results))) {
      throw new InvalidModuleException(expected + ", but it has " + type.params().size() + " parameter(s) and "
          + type.results().size() + " result(s)" + (type.results().size() == 1 && !results.isEmpty() ? " of another type" : ""));
    }
  }

  /** Initial size of the module's memory in pages (0 when it has no memory). */
  public long initialPages() {
    return memories.stream().mapToLong(MemoryLimits::min).sum();
  }

  /**
   * The same module with every memory's maximum lowered to {@code maxPages}, so that {@code memory.grow}
   * past the cap fails inside the guest (malloc returns NULL) instead of growing the host's heap.
   */
  public byte[] withMemoryCap(long maxPages) throws InvalidModuleException {
    var capped = capped(maxPages);
    return rewritten(MEMORY_SECTION, body -> {
      writeU32(body, capped.size());
      capped.forEach(m -> writeLimits(body, m));
    });
  }

  /** The same module with its one memory's limits set to {@code limits} (for the shim, which owns the guest's memory). */
  byte[] withMemory(MemoryLimits limits) {
    return rewritten(MEMORY_SECTION, body -> {
      writeU32(body, 1);
      writeLimits(body, limits);
    });
  }

  /**
   * Shimmed calls that alone do not make a module need the shim. GraalWasm's {@code fd_write} is wrong only
   * on a directory's descriptor, which a module that opens nothing and reads nothing hardly writes to; its
   * argv and environment calls are right, the shim's only let an instance be made before its call. The
   * shim would double such a module's start-up cost (loadtest/RESULTS.md).
   */
  private static final Set<String> RIGHT_WITHOUT_SHIM = Set.of("fd_write", "args_get", "args_sizes_get",
      "environ_get", "environ_sizes_get");

  /**
   * Whether the module imports a WASI function that the runtime's shim supplies instead of GraalWasm, or
   * calls other functions (whose host imports write into the memory the shim owns).
   */
  public boolean needsShim() {
    return imports.stream().anyMatch(i -> shimmed(i) && !RIGHT_WITHOUT_SHIM.contains(i.field())
        || i.module().equals(ChildCallImports.MODULE));
  }

  /** Whether instantiating the module runs code of its own (a start section), before any export is called. */
  public boolean runsAtInstantiation() {
    return sections.stream().anyMatch(s -> s.id() == START_SECTION);
  }

  /** The limits of the module's one memory once capped at {@code maxPages}. */
  public MemoryLimits cappedMemory(long maxPages) throws InvalidModuleException {
    var capped = capped(maxPages);
    if (capped.size() != 1) {
      throw new InvalidModuleException("the module defines " + capped.size() + " memories; a WASI function has exactly one");
    }
    return capped.get(0);
  }

  /**
   * The module wired to the shim: its shimmed WASI imports come from {@link #SHIM_MODULE}, and its memory,
   * capped at {@code maxPages}, is imported from there instead of defined, because the shim's WASI calls
   * must write into the guest's memory. Function and memory indices stay as they were.
   */
  public byte[] wiredToShim(long maxPages) throws InvalidModuleException {
    var memory = cappedMemory(maxPages);
    var out = new ByteArrayOutputStream(bytes.length + 64);
    out.write(bytes, 0, 8);
    for (var s : sections) {
      if (s.id() == IMPORT_SECTION) {
        var body = new ByteArrayOutputStream();
        writeU32(body, imports.size() + 1L);
        for (var i : imports) {
          if (shimmed(i)) {
            writeName(body, SHIM_MODULE);
            writeName(body, i.field());
            body.write(bytes, i.descriptorStart(), i.end() - i.descriptorStart());
          } else {
            body.write(bytes, i.start(), i.end() - i.start());
          }
        }
        writeName(body, SHIM_MODULE);
        writeName(body, "memory");
        body.write(MEMORY_KIND);
        writeLimits(body, memory);
        writeSection(out, IMPORT_SECTION, body);
      } else if (s.id() != MEMORY_SECTION) {
        out.write(bytes, s.headerStart(), s.end() - s.headerStart());
      }
    }
    return out.toByteArray();
  }

  private static boolean shimmed(Import i) {
    return i.kind() == FUNC && i.module().equals(WASI_MODULE) && SHIMMED.contains(i.field());
  }

  private List<MemoryLimits> capped(long maxPages) throws InvalidModuleException {
    var capped = new ArrayList<MemoryLimits>();
    for (var m : memories) {
      if (m.min() > maxPages) {
        throw new InvalidModuleException("the module needs " + toMiB(m.min()) + " MiB of memory at start, above its limit of "
            + toMiB(maxPages) + " MiB (deploy with a larger memoryMb)");
      }
      capped.add(new MemoryLimits(m.min(), m.max() < 0 ? maxPages : Math.min(m.max(), maxPages)));
    }
    return capped;
  }

  /** The module with the body of section {@code id} replaced by what {@code body} writes. */
  private byte[] rewritten(int id, java.util.function.Consumer<ByteArrayOutputStream> body) {
    var out = new ByteArrayOutputStream(bytes.length + 16);
    out.write(bytes, 0, 8);
    for (var s : sections) {
      if (s.id() != id) {
        out.write(bytes, s.headerStart(), s.end() - s.headerStart());
        continue;
      }
      var content = new ByteArrayOutputStream();
      body.accept(content);
      writeSection(out, id, content);
    }
    return out.toByteArray();
  }

  private static void writeSection(ByteArrayOutputStream out, int id, ByteArrayOutputStream body) {
    out.write(id);
    writeU32(out, body.size());
    out.writeBytes(body.toByteArray());
  }

  private static void writeLimits(ByteArrayOutputStream out, MemoryLimits limits) {
    out.write(0x01);
    writeU32(out, limits.min());
    writeU32(out, limits.max());
  }

  private static void writeName(ByteArrayOutputStream out, String name) {
    var utf8 = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    writeU32(out, utf8.length);
    out.writeBytes(utf8);
  }

  private static long toMiB(long pages) {
    return pages * PAGE_BYTES / (1024 * 1024);
  }

  private static void readTypes(Reader r, Signatures signatures) throws InvalidModuleException {
    long count = r.u32();
    for (long i = 0; i < count; i++) {
      if (r.u8() != 0x60) {
        signatures.known = false;
        return;
      }
      var params = valueTypes(r, signatures);
      var results = valueTypes(r, signatures);
      if (!signatures.known) {
        return;
      }
      signatures.types.add(new FuncType(params, results));
    }
  }

  private static List<Integer> valueTypes(Reader r, Signatures signatures) throws InvalidModuleException {
    long count = r.u32();
    var types = new ArrayList<Integer>();
    for (long i = 0; i < count && signatures.known; i++) {
      int type = r.u8();
      if (type < 0x6f || type > 0x7f) {
        signatures.known = false;
      }
      types.add(type);
    }
    return types;
  }

  private static void readFunctions(Reader r, Signatures signatures) throws InvalidModuleException {
    long count = r.u32();
    for (long i = 0; i < count; i++) {
      signatures.functionTypes.add(r.u32());
    }
  }

  private static void readImports(Reader r, Signatures signatures, List<Import> imports) throws InvalidModuleException {
    long count = r.u32();
    for (long i = 0; i < count; i++) {
      int start = r.pos;
      String module = r.name();
      String field = r.name();
      int descriptorStart = r.pos;
      int kind = r.u8();
      switch (kind) {
        case 0 -> signatures.functionTypes.add(r.u32());
        case 1 -> {
          r.u8();
          r.limits();
        }
        case 2 -> throw new InvalidModuleException("the module imports its memory (" + module + "." + field
            + "); a function must define its own memory");
        case 3 -> {
          r.u8();
          r.u8();
        }
        case 4 -> {
          r.u8();
          r.u32();
        }
        default -> throw new InvalidModuleException("malformed import section: unknown import kind " + kind);
      }
      imports.add(new Import(module, field, kind, start, descriptorStart, r.pos));
    }
  }

  private static void readMemories(Reader r, List<MemoryLimits> memories) throws InvalidModuleException {
    long count = r.u32();
    for (long i = 0; i < count; i++) {
      memories.add(r.limits());
    }
  }

  private static void readExports(Reader r, Map<String, Export> exports) throws InvalidModuleException {
    long count = r.u32();
    for (long i = 0; i < count; i++) {
      String name = r.name();
      int kind = r.u8();
      exports.put(name, new Export(kind, r.u32()));
    }
  }

  private static void writeU32(ByteArrayOutputStream out, long value) {
    do {
      int b = (int) (value & 0x7f);
      value >>>= 7;
      out.write(value != 0 ? b | 0x80 : b);
    } while (value != 0);
  }

  private static final class Reader {
    private final byte[] bytes;
    private final int end;
    private int pos;

    Reader(byte[] bytes, int pos) {
      this(bytes, pos, bytes.length);
    }

    Reader(byte[] bytes, int pos, int end) {
      this.bytes = bytes;
      this.pos = pos;
      this.end = end;
    }

    int u8() {
      if (pos >= end) {
        throw new IndexOutOfBoundsException();
      }
      return bytes[pos++] & 0xff;
    }

    long u32() throws InvalidModuleException {
      long result = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = u8();
        result |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          if (result > 0xffffffffL) {
            throw new InvalidModuleException("malformed module: integer too large");
          }
          return result;
        }
      }
      throw new InvalidModuleException("malformed module: integer too long");
    }

    String name() throws InvalidModuleException {
      long length = u32();
      if (length > end - pos) {
        throw new IndexOutOfBoundsException();
      }
      var s = new String(bytes, pos, (int) length, java.nio.charset.StandardCharsets.UTF_8);
      pos += (int) length;
      return s;
    }

    MemoryLimits limits() throws InvalidModuleException {
      int flags = u8();
      return switch (flags) {
        case 0x00 -> new MemoryLimits(u32(), -1);
        case 0x01 -> new MemoryLimits(u32(), u32());
        case 0x02, 0x03 -> throw new InvalidModuleException("shared memories (threads) are not supported");
        default -> throw new InvalidModuleException(flags >= 0x04
            ? "64-bit memories are not supported" : "malformed limits flags " + flags);
      };
    }
  }
}
