#!/usr/bin/env bash
# Make sure Debian's chromium (and a font for the Chinese text of the screenshots) is
# installed for the JupyterLab UI test: install it as root or with sudo where apt exists,
# else say that the test will be skipped. Never fails: the test reports the skip itself.
set -uo pipefail
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ] && fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  echo "Chromium: $chromium"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else sudo=none; fi
  if [ "$sudo" != none ]; then
    echo "Installing Debian's chromium and fonts-wqy-microhei for the JupyterLab UI test ..."
    $sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1 \
      || { $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1; }
  fi
fi
if [ -x "$chromium" ]; then
  echo "Chromium: $chromium"
else
  echo "Chromium is not installed and could not be: the JupyterLab UI test will be skipped (apt-get install chromium, or set CHROMIUM)."
fi
