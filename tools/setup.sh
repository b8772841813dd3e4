#!/bin/sh
# One command from a fresh Debian 12 machine (as root) to a corpus: installs
# what is missing, builds mtprep in build/, and builds the bundled sample
# corpus with corpora/recipes/sample-id.recipe into out/sample-id/.
set -eu
cd "$(dirname "$0")/.."

sh tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
build/mtprep build corpora/recipes/sample-id.recipe
build/mtprep verify out/sample-id
echo "mtprep: corpus ready in out/sample-id:"
ls -l out/sample-id
