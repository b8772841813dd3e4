#!/bin/sh
# Installs the Debian 12 packages mtprep needs to build, test and benchmark.
# Runs apt-get only when something is missing, so a second run costs nothing.
set -eu

PACKAGES="build-essential cmake pkg-config git
libicu-dev libzstd-dev zstd zlib1g-dev libssl-dev libjansson-dev libxxhash-dev
libcmocka-dev unicode-data bzip2 gawk time sentencepiece parallel"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "mtprep: installing:$missing" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "mtprep: run as root (or install these packages yourself)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
