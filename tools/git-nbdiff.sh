#!/usr/bin/env bash
# Make `git diff` in this checkout show notebooks as nbdime does (cells, sources and outputs
# instead of raw JSON): .gitattributes names the driver for *.ipynb; this sets the driver's
# command in the checkout's own .git/config (not the user's), by the absolute path of the
# environment's git-nbdiffdriver, so it works without activating .venv. Outside a git checkout
# (a downloaded archive) there is nothing to configure.
#   bash tools/git-nbdiff.sh VENV_BIN_DIR
set -euo pipefail
venv_bin=$(cd "${1:?usage: git-nbdiff.sh VENV_BIN_DIR}" && pwd)
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || exit 0
git config diff.jupyternotebook.command "\"$venv_bin/git-nbdiffdriver\" diff"
