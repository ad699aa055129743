#!/usr/bin/env bash
# Build hpc-faas functions: every SRC_DIR/*.c -> OUT_DIR/<name>.wasm (wasm32-wasi).
#
#   functions-sdk/build.sh SRC_DIR OUT_DIR [--native]
#
# A source that contains "HPCFAAS_HANDLER(" is built as a reactor
# (-mexec-model=reactor, exports hpcfaas_handle); all others as commands
# (exports _start). Up-to-date modules (.wasm newer than the .c, hpcfaas.h
# and this script) are skipped. With --native, command modules are also built
# with gcc into OUT_DIR/native/<name>, for wasm-vs-native comparisons.
#
# Environment overrides:
#   CLANG (default clang), NATIVE_CC (default gcc),
#   EXTRA_CFLAGS (extra clang flags for the wasm build, e.g. -DDEBUG or -Wl,...),
#   NATIVE_CFLAGS (extra gcc flags for --native),
#   STACK_SIZE (wasm stack size in bytes, default 262144 = 256 KiB).
set -euo pipefail

usage() { echo "usage: $0 SRC_DIR OUT_DIR [--native]" >&2; exit 2; }
[[ $# -eq 2 || $# -eq 3 ]] || usage
src_dir=${1%/}
out_dir=${2%/}
native=0
if [[ $# -eq 3 ]]; then
    [[ $3 == --native ]] || usage
    native=1
fi

sdk_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
include_dir=$sdk_dir/include
header=$include_dir/hpcfaas.h
self=$sdk_dir/$(basename "${BASH_SOURCE[0]}")
CLANG=${CLANG:-clang}
NATIVE_CC=${NATIVE_CC:-gcc}
STACK_SIZE=${STACK_SIZE:-262144}
read -r -a extra <<< "${EXTRA_CFLAGS:-}"
read -r -a native_extra <<< "${NATIVE_CFLAGS:-}"

[[ -d $src_dir ]] || { echo "build.sh: source directory '$src_dir' not found" >&2; exit 2; }
[[ -f $header ]] || { echo "build.sh: SDK header '$header' not found" >&2; exit 2; }

shopt -s nullglob
sources=("$src_dir"/*.c)
shopt -u nullglob
if [[ ${#sources[@]} -eq 0 ]]; then
    echo "build.sh: no .c files in '$src_dir'" >&2
    exit 2
fi

# --stack-first puts the stack below the static data, so a stack overflow traps
# instead of silently overwriting globals; -s strips debug info and names.
wasm_flags=(--target=wasm32-wasi -O2 -Wall -Wextra -I "$include_dir" -s
            -Wl,--stack-first "-Wl,-z,stack-size=$STACK_SIZE")
native_flags=(-O2 -Wall -Wextra -I "$include_dir")

tmp_dir=$(mktemp -d)
trap 'rm -rf "$tmp_dir"' EXIT

# Fail early, with a useful message, if clang cannot produce wasm32-wasi.
printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' > "$tmp_dir/probe.c"
if ! command -v "$CLANG" > /dev/null 2>&1 ||
   ! "$CLANG" --target=wasm32-wasi -O2 "$tmp_dir/probe.c" -o "$tmp_dir/probe.wasm" \
        > "$tmp_dir/probe.log" 2>&1; then
    echo "build.sh: '$CLANG' cannot compile for wasm32-wasi." >&2
    [[ -s $tmp_dir/probe.log ]] && sed 's/^/  /' "$tmp_dir/probe.log" | head -n 5 >&2
    echo "On Debian/Ubuntu install: sudo apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32" >&2
    exit 1
fi
if [[ $native -eq 1 ]] && ! command -v "$NATIVE_CC" > /dev/null 2>&1; then
    echo "build.sh: --native needs '$NATIVE_CC' (sudo apt-get install gcc)" >&2
    exit 1
fi

# up_to_date TARGET SRC: TARGET exists and is newer than SRC, the header and this script
up_to_date() {
    [[ -f $1 && $1 -nt $2 && $1 -nt $header && $1 -nt $self ]]
}

mkdir -p "$out_dir"
[[ $native -eq 1 ]] && mkdir -p "$out_dir/native"

for src in "${sources[@]}"; do
    name=$(basename "$src" .c)
    out=$out_dir/$name.wasm
    if grep -q 'HPCFAAS_HANDLER(' "$src"; then
        kind=reactor
        kind_flags=(-mexec-model=reactor)
    else
        kind=command
        kind_flags=()
    fi

    if up_to_date "$out" "$src"; then
        echo "up to date $out ($kind)"
    else
        # compile to a temporary file, then rename: readers never see half a module
        "$CLANG" "${wasm_flags[@]}" ${kind_flags[@]+"${kind_flags[@]}"} ${extra[@]+"${extra[@]}"} "$src" -o "$tmp_dir/$name.wasm" ||
            { echo "build.sh: compiling $src to wasm failed" >&2; exit 1; }
        mv -f "$tmp_dir/$name.wasm" "$out"
        echo "built $out ($kind, $(wc -c < "$out") bytes)"
    fi

    if [[ $native -eq 1 && $kind == command ]]; then
        nout=$out_dir/native/$name
        if up_to_date "$nout" "$src"; then
            echo "up to date $nout (native)"
        else
            "$NATIVE_CC" "${native_flags[@]}" ${native_extra[@]+"${native_extra[@]}"} "$src" -o "$tmp_dir/$name.native" -lm ||
                { echo "build.sh: compiling $src natively failed" >&2; exit 1; }
            mv -f "$tmp_dir/$name.native" "$nout"
            echo "built $nout (native, $(wc -c < "$nout") bytes)"
        fi
    fi
done
