#!/usr/bin/env bash
# Make sure Debian's chromium (and a font for the Chinese text of the screenshots) is
# installed for the JupyterLab UI test: install it as root or with sudo where apt exists,
# else say that the test will be skipped; under CI=true a missing browser fails here already.
set -uo pipefail
chromium=${CHROMIUM:-/usr/bin/chromium}
if ! { [ -x "$chromium" ] && fc-list 2>/dev/null | grep -qi "wenquanyi"; }; then
  echo "Installing Debian's chromium and fonts-wqy-microhei for the JupyterLab UI test ..."
  bash "$(dirname "$0")/apt-install.sh" chromium fonts-wqy-microhei || true
fi
if [ -x "$chromium" ]; then
  echo "Chromium: $chromium"
else
  echo "Chromium is not installed and could not be: the JupyterLab UI test will be skipped (apt-get install chromium, or set CHROMIUM)."
  [ "${CI:-}" != true ] || { echo "CI: a required part is missing: Chromium"; exit 1; }
fi
