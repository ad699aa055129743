package org.hpcfaas.engine;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

/** A warm reactor instance: its own Context, rebindable stdio, used by one call at a time. */
record ReactorInstance(
    WasmEngine engine, CompiledModule module, Context context, Value handle, SwitchableStreams streams,
    StderrTail stderr, MemoryProbe probe, ScratchSpace scratch, BoundChildCalls children) {}
