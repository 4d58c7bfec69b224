#!/bin/sh
# Install e1ksim's build and test dependencies from Debian's packages.
# Idempotent; prints nothing when everything is already present.
# Usage: tools/setup.sh [--capture]   (--capture adds what tools/capture-qemu.sh needs)
set -eu

PKGS="build-essential cmake pkg-config clang libclang-rt-14-dev libpcap-dev libsqlite3-dev libcmocka-dev libyaml-dev zlib1g-dev sqlite3 gnuplot-nox chromium parallel"
if [ "${1:-}" = "--capture" ]; then
    PKGS="$PKGS qemu-system-x86 linux-image-amd64 busybox-static cpio gzip kmod xz-utils zstd"
fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "setup: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
