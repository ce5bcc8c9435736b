#!/usr/bin/env bash
# apt-ensure.sh PACKAGE...: installs the Debian packages that are not installed
# yet, and says nothing when all of them are. Used by `make generate` (protoc and
# the gRPC Python plugin), `make test-sdk` (the Python runtime) and
# `make test-console` (Chromium).
set -euo pipefail
missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "apt-ensure: need root to install ${missing[*]}: run 'apt-get install -y ${missing[*]}' as root" >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "apt-ensure: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Install from the lists already on the machine when they know the packages;
# refresh them only when they do not (a fresh image has no lists at all).
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
