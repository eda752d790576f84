#!/usr/bin/env bash
# Install Debian packages as root or with password-less sudo: apt-get install, and on failure
# apt-get update then install again. Exits 1, changing nothing, where neither is possible.
# make test fetches the data and the browser side by side (make -j4), so two of these may run at
# once: each waits up to 10 minutes for another apt's lock instead of failing at once.
# Usage: tools/apt-install.sh PACKAGE...
set -uo pipefail
command -v apt-get >/dev/null 2>&1 || exit 1
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else exit 1; fi
apt_get() { $sudo apt-get -o DPkg::Lock::Timeout=600 "$@"; }
apt_get install -y -qq "$@" >/dev/null 2>&1 \
  || { apt_get update -qq && apt_get install -y -qq "$@" >/dev/null 2>&1; }
