#!/usr/bin/env bash
# Build hpc-faas functions in Rust: every SRC_DIR/*.rs -> OUT_DIR/<name>.wasm, with the SDK crate
# (functions-sdk/rust) as `hpcfaas`. Plain rustc, no Cargo registry.
#
#   functions-sdk/build-rust.sh SRC_DIR OUT_DIR [--optional]
#
# A source that contains "handler!(" is built as a reactor (a cdylib that exports hpcfaas_handle),
# all others as commands (a binary: exports _start). Up-to-date modules (.wasm newer than the
# source, the crate and this script) are skipped. The target is wasm32-wasip1 (Rust 1.78 and later)
# or wasm32-wasi (older, e.g. Debian 12's rustc 1.63), whichever the rustc has a standard library for.
# Without one the build fails, or with --optional says so in one line and builds nothing.
#
# Environment overrides: RUSTC (tried first, then rustc on PATH, then /usr/bin/rustc),
#   EXTRA_RUSTFLAGS (extra rustc flags).
set -euo pipefail

usage() { echo "usage: $0 SRC_DIR OUT_DIR [--optional]" >&2; exit 2; }
[[ $# -eq 2 || ( $# -eq 3 && $3 == --optional ) ]] || usage
src_dir=${1%/}
out_dir=${2%/}
optional=$(( $# == 3 ))

sdk_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
crate=$sdk_dir/rust/src/lib.rs
self=$sdk_dir/$(basename "${BASH_SOURCE[0]}")
read -r -a extra <<< "${EXTRA_RUSTFLAGS:-}"

[[ -d $src_dir ]] || { echo "build-rust.sh: source directory '$src_dir' not found" >&2; exit 2; }
shopt -s nullglob
sources=("$src_dir"/*.rs)
shopt -u nullglob
[[ ${#sources[@]} -gt 0 ]] || { echo "build-rust.sh: no .rs files in '$src_dir'" >&2; exit 2; }

tmp_dir=$(mktemp -d)
trap 'rm -rf "$tmp_dir"' EXIT

# The first rustc and target that link a probe: rustup's rustc names the target but may lack its
# standard library, while Debian's has it under the old name.
rustc= target=
echo 'fn main() {}' > "$tmp_dir/probe.rs"
for candidate in ${RUSTC:+"$RUSTC"} rustc /usr/bin/rustc; do
    command -v "$candidate" > /dev/null 2>&1 || continue
    for t in wasm32-wasip1 wasm32-wasi; do
        if "$candidate" --target "$t" "$tmp_dir/probe.rs" -o "$tmp_dir/probe.wasm" > /dev/null 2>&1; then
            rustc=$candidate target=$t
            break 2
        fi
    done
done
if [[ -z $rustc ]]; then
    hint="sudo apt-get install rustc libstd-rust-dev-wasm32 lld (or: rustup target add wasm32-wasip1)"
    if [[ $optional -eq 1 ]]; then
        echo "build-rust.sh: no rustc for wasm32-wasip1 or wasm32-wasi, so $src_dir is not built (to build it: $hint)"
        exit 0
    fi
    echo "build-rust.sh: no rustc for wasm32-wasip1 or wasm32-wasi. On Debian/Ubuntu install: $hint" >&2
    exit 1
fi

flags=(--edition 2021 --target "$target" -C opt-level=2 ${extra[@]+"${extra[@]}"})
"$rustc" "${flags[@]}" --crate-type rlib --crate-name hpcfaas "$crate" --out-dir "$tmp_dir" ||
    { echo "build-rust.sh: compiling the hpcfaas crate failed" >&2; exit 1; }

mkdir -p "$out_dir"
for src in "${sources[@]}"; do
    name=$(basename "$src" .rs)
    out=$out_dir/$name.wasm
    if grep -q 'handler!(' "$src"; then
        kind=reactor
        kind_flags=(--crate-type cdylib)
    else
        kind=command
        kind_flags=(--crate-type bin)
    fi
    if [[ -f $out && $out -nt $src && $out -nt $crate && $out -nt $self ]]; then
        echo "up to date $out ($kind)"
        continue
    fi
    "$rustc" "${flags[@]}" -C strip=symbols "${kind_flags[@]}" --crate-name "${name//-/_}" \
            --extern hpcfaas="$tmp_dir/libhpcfaas.rlib" "$src" -o "$tmp_dir/$name.wasm" ||
        { echo "build-rust.sh: compiling $src to wasm failed" >&2; exit 1; }
    mv -f "$tmp_dir/$name.wasm" "$out"
    echo "built $out ($kind, $(wc -c < "$out") bytes, $rustc --target $target)"
done
