#!/usr/bin/env bash
# Print the path of a Python 3.11 for .venv when make found none on PATH, or say how to get one.
#
#   bash tools/find-python311.sh UV_VERSION
#
# mxnet 1.9.1 needs numpy < 1.24, which has no wheels for Pythons newer than 3.11, and the other
# pins need 3.11: so 3.11 it must be. Without root, uv (from PyPI, installed into a temporary
# folder with any python3) fetches a managed CPython 3.11 into the user's ~/.local/share/uv; that
# needs access to github.com. Where that fails, the ways for this system are printed and nothing
# is left behind in the checkout.
set -uo pipefail
uv_version=${1:?usage: find-python311.sh UV_VERSION}

ways() {
  echo "make: no Python 3.11 found, and uv could not fetch one (it needs access to github.com)." >&2
  echo "mxnet 1.9.1 needs numpy < 1.24, which has no wheels for Pythons newer than 3.11. Ways to get 3.11:" >&2
  case "$(uname -s)-$(uname -m)" in
    Darwin-arm64)
      echo "  - Apple-silicon macOS: mxnet 1.9.1 has no wheel for it. Use the class hub, Binder, or a Linux" >&2
      echo "    machine (x86-64 or aarch64); an Intel Mac works like Linux below." >&2 ;;
    Darwin-*)
      echo "  - uv: pip install uv && uv python install 3.11, then make PYTHON=\$(uv python find 3.11)" >&2
      echo "  - conda: conda env create -f environment.yml (the same pins)" >&2 ;;
    Linux-*)
      if grep -qi microsoft /proc/version 2>/dev/null; then
        echo "  - Windows (WSL): inside the Ubuntu of WSL, as on Ubuntu below" >&2
      fi
      echo "  - Debian 12: sudo apt-get install python3.11-venv" >&2
      echo "  - Ubuntu 22.04 or 24.04: sudo add-apt-repository ppa:deadsnakes/ppa && sudo apt-get install python3.11-venv" >&2
      echo "  - any Linux, without root: pip install uv && uv python install 3.11, then make PYTHON=\$(uv python find 3.11)" >&2
      echo "  - conda: conda env create -f environment.yml (the same pins)" >&2 ;;
    *)
      echo "  - Windows: mxnet 1.9.1 has no Windows wheel; use WSL (Ubuntu), the class hub or Binder" >&2 ;;
  esac
  echo "Then run make again (or make PYTHON=/path/to/python3.11)." >&2
  exit 1
}

boot=
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
    boot=$candidate
    break
  fi
done
[ -n "$boot" ] || ways

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "make: no Python 3.11 on PATH; asking uv $uv_version (from PyPI) for a managed one ..." >&2
"$boot" -m venv "$tmp/uv" >&2 && "$tmp/uv/bin/python" -m pip install --quiet "uv==$uv_version" >&2 || ways
"$tmp/uv/bin/uv" python install 3.11 >&2 || ways
"$tmp/uv/bin/uv" python find 3.11 || ways
