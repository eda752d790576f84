#!/usr/bin/env bash
# Install Debian packages as root or with password-less sudo: apt-get install, and on failure
# apt-get update then install again. Exits 1, changing nothing, where neither is possible.
# Usage: tools/apt-install.sh PACKAGE...
set -uo pipefail
command -v apt-get >/dev/null 2>&1 || exit 1
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else exit 1; fi
$sudo apt-get install -y -qq "$@" >/dev/null 2>&1 \
  || { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$@" >/dev/null 2>&1; }
