#!/usr/bin/env bash
# Rebuild functions-sdk/prebuilt/ (the example modules shipped for machines without clang) from
# functions-sdk/examples/, and record the clang that built them. Run it after changing an example,
# and commit the result; PrebuiltModulesTest checks that the two agree.
set -euo pipefail
sdk=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -f "$sdk"/prebuilt/*.wasm
"$sdk/build.sh" "$sdk/examples" "$sdk/prebuilt"
"${CLANG:-clang}" --version | head -n 1 > "$sdk/prebuilt/clang-version.txt"
