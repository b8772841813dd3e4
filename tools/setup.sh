#!/bin/sh
# One command from a fresh Debian 12 machine (as root) to a corpus: installs
# what is missing, builds mtprep in build/, and builds the bundled sample
# (Indonesian articles with their English counterparts) into the line-aligned
# id-en corpus out/sample-id-en/ with corpora/recipes/sample-id-en.recipe.
set -eu
cd "$(dirname "$0")/.."

sh tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
build/mtprep build corpora/recipes/sample-id-en.recipe
build/mtprep verify out/sample-id-en
echo "mtprep: aligned corpus ready in out/sample-id-en:"
ls -l out/sample-id-en
