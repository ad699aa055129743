#!/usr/bin/env bash
# Build hpc-faas functions: every SRC_DIR/*.c and *.cpp -> OUT_DIR/<name>.wasm (wasm32-wasi).
#
#   functions-sdk/build.sh SRC_DIR OUT_DIR [--native] [--prebuilt DIR | --optional]
#
# C is compiled with clang and wasi-libc, C++ with clang++ and libc++ (without exceptions).
# A source that contains "HPCFAAS_HANDLER(" is built as a reactor
# (-mexec-model=reactor, exports hpcfaas_handle); all others as commands
# (exports _start). Up-to-date modules (.wasm newer than the source, hpcfaas.h
# and this script) are skipped. With --native, C command modules are also built
# with gcc into OUT_DIR/native/<name>, for wasm-vs-native comparisons.
#
# Without a compiler that builds wasm32-wasi the build fails, unless
#   --prebuilt DIR   copies DIR/*.wasm to OUT_DIR instead (and skips --native), or
#   --optional       builds nothing;
# both say so in one line and succeed.
#
# Environment overrides:
#   CLANG (default clang), CLANGXX (default clang++), NATIVE_CC (default gcc),
#   EXTRA_CFLAGS (extra clang flags for the wasm build, e.g. -DDEBUG or -Wl,...),
#   NATIVE_CFLAGS (extra gcc flags for --native),
#   STACK_SIZE (wasm stack size in bytes, default 262144 = 256 KiB).
set -euo pipefail

usage() { echo "usage: $0 SRC_DIR OUT_DIR [--native] [--prebuilt DIR | --optional]" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
src_dir=${1%/}
out_dir=${2%/}
shift 2
native=0
prebuilt=
optional=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --native) native=1; shift ;;
        --prebuilt) [[ $# -ge 2 ]] || usage; prebuilt=${2%/}; shift 2 ;;
        --optional) optional=1; shift ;;
        *) usage ;;
    esac
done

sdk_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
include_dir=$sdk_dir/include
header=$include_dir/hpcfaas.h
self=$sdk_dir/$(basename "${BASH_SOURCE[0]}")
CLANG=${CLANG:-clang}
CLANGXX=${CLANGXX:-clang++}
NATIVE_CC=${NATIVE_CC:-gcc}
STACK_SIZE=${STACK_SIZE:-262144}
read -r -a extra <<< "${EXTRA_CFLAGS:-}"
read -r -a native_extra <<< "${NATIVE_CFLAGS:-}"

[[ -d $src_dir ]] || { echo "build.sh: source directory '$src_dir' not found" >&2; exit 2; }
[[ -f $header ]] || { echo "build.sh: SDK header '$header' not found" >&2; exit 2; }

shopt -s nullglob
c_sources=("$src_dir"/*.c)
cxx_sources=("$src_dir"/*.cpp)
shopt -u nullglob
sources=(${c_sources[@]+"${c_sources[@]}"} ${cxx_sources[@]+"${cxx_sources[@]}"})
if [[ ${#sources[@]} -eq 0 ]]; then
    echo "build.sh: no .c or .cpp files in '$src_dir'" >&2
    exit 2
fi

# --stack-first puts the stack below the static data, so a stack overflow traps
# instead of silently overwriting globals; -s strips debug info and names.
wasm_flags=(--target=wasm32-wasi -O2 -Wall -Wextra -I "$include_dir" -s
            -Wl,--stack-first "-Wl,-z,stack-size=$STACK_SIZE")
cxx_flags=(-std=c++17 -fno-exceptions)
native_flags=(-O2 -Wall -Wextra -I "$include_dir")

tmp_dir=$(mktemp -d)
trap 'rm -rf "$tmp_dir"' EXIT

# no_toolchain WHAT HINT PROBE_LOG: the compiler for wasm32-wasi is missing
no_toolchain() {
    if [[ -n $prebuilt ]]; then
        mkdir -p "$out_dir"
        cp -f "$prebuilt"/*.wasm "$out_dir"/
        touch "$out_dir/.prebuilt"      # so that a later build with a compiler replaces the copies
        echo "build.sh: no $1, so $out_dir holds the prebuilt modules from $prebuilt (to rebuild them: $2)"
        exit 0
    fi
    if [[ $optional -eq 1 ]]; then
        echo "build.sh: no $1, so $src_dir is not built (to build it: $2)"
        exit 0
    fi
    echo "build.sh: no $1." >&2
    [[ -s $3 ]] && sed 's/^/  /' "$3" | head -n 5 >&2
    echo "On Debian/Ubuntu install: $2" >&2
    exit 1
}

# Fail early, with a useful message, if the compilers cannot produce wasm32-wasi.
c_hint="sudo apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32"
if [[ ${#c_sources[@]} -gt 0 ]]; then
    printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' > "$tmp_dir/probe.c"
    command -v "$CLANG" > /dev/null 2>&1 &&
        "$CLANG" --target=wasm32-wasi -O2 "$tmp_dir/probe.c" -o "$tmp_dir/probe.wasm" > "$tmp_dir/probe.log" 2>&1 ||
        no_toolchain "clang for wasm32-wasi ('$CLANG')" "$c_hint" "$tmp_dir/probe.log"
fi
if [[ ${#cxx_sources[@]} -gt 0 ]]; then
    printf '#include <iostream>\n#include <string>\nint main() { std::string s("ok"); std::cout << s << std::endl; }\n' > "$tmp_dir/probe.cpp"
    command -v "$CLANGXX" > /dev/null 2>&1 &&
        "$CLANGXX" --target=wasm32-wasi -O2 "${cxx_flags[@]}" "$tmp_dir/probe.cpp" -o "$tmp_dir/probe.wasm" > "$tmp_dir/probe.log" 2>&1 ||
        no_toolchain "clang++ with libc++ for wasm32-wasi ('$CLANGXX')" "$c_hint libc++-dev-wasm32" "$tmp_dir/probe.log"
fi
if [[ $native -eq 1 ]] && ! command -v "$NATIVE_CC" > /dev/null 2>&1; then
    echo "build.sh: --native needs '$NATIVE_CC' (sudo apt-get install gcc)" >&2
    exit 1
fi

# up_to_date TARGET SRC: TARGET exists and is newer than SRC, the header and this script,
# and OUT_DIR does not hold prebuilt copies
up_to_date() {
    [[ ! -f $out_dir/.prebuilt && -f $1 && $1 -nt $2 && $1 -nt $header && $1 -nt $self ]]
}

mkdir -p "$out_dir"
[[ $native -eq 1 ]] && mkdir -p "$out_dir/native"

for src in "${sources[@]}"; do
    case $src in
        *.cpp) name=$(basename "$src" .cpp); compiler=$CLANGXX; lang_flags=("${cxx_flags[@]}") ;;
        *) name=$(basename "$src" .c); compiler=$CLANG; lang_flags=() ;;
    esac
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
        "$compiler" "${wasm_flags[@]}" ${lang_flags[@]+"${lang_flags[@]}"} ${kind_flags[@]+"${kind_flags[@]}"} \
                ${extra[@]+"${extra[@]}"} "$src" -o "$tmp_dir/$name.wasm" ||
            { echo "build.sh: compiling $src to wasm failed" >&2; exit 1; }
        mv -f "$tmp_dir/$name.wasm" "$out"
        echo "built $out ($kind, $(wc -c < "$out") bytes)"
    fi

    if [[ $native -eq 1 && $kind == command && $src == *.c ]]; then
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
rm -f "$out_dir/.prebuilt"
