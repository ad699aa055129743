package org.hpcfaas.engine;

import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;

/**
 * A command instance made before its call: its own Context and scratch directory, the guest instantiated
 * but not started, and its stdio, argv, environment and child calls bound only when a call takes it. It
 * runs at most one call and is closed after it.
 */
record ReadyCommand(
    CompiledModule module, List<Preopen> preopens, Context context, Value start, SwitchableStreams streams, BoundArguments arguments,
    BoundChildCalls children, StderrTail stderr, MemoryProbe probe, ScratchSpace scratch) {}
