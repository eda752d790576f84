#!/usr/bin/env bash
# Make sure the real Fashion-MNIST is on this machine: use a copy that is already
# there, else install Debian's package dataset-fashion-mnist (as root or with sudo),
# else say how to get it. Usage: tools/get-data.sh PYTHON
set -euo pipefail
python=$1
found() { "$python" -c 'import d2lhelpers; print(d2lhelpers.find_fashion_mnist())' 2>/dev/null; }

if ! dir=$(found); then
  echo "Installing Debian's dataset-fashion-mnist ..."
  bash "$(dirname "$0")/apt-install.sh" dataset-fashion-mnist || true
  if ! dir=$(found); then
    echo "Fashion-MNIST is not on this machine and could not be installed:" >&2
    "$python" -c 'import d2lhelpers; d2lhelpers.find_fashion_mnist()' 2>&1 | tail -n 1 >&2
    exit 1
  fi
fi
echo "Fashion-MNIST: $dir"
