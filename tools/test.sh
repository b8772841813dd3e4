#!/bin/sh
# The whole test suite, as CI runs it: installs what is missing, builds with
# warnings as errors and AddressSanitizer + UBSan in build-ci/, runs ctest.
set -eu
cd "$(dirname "$0")/.."

sh tools/install-deps.sh
cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=Debug -DMTPREP_WERROR=ON -DMTPREP_SANITIZE=ON >/dev/null
cmake --build build-ci -j"$(nproc)"
cd build-ci
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j"$(nproc)" --timeout 300
