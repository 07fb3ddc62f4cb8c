#!/usr/bin/env bash
# Makes sure the web console's browser test has its browser: Debian's chromium and
# chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver). The system-tests module runs
# this before its integration tests. When they are missing it installs them with apt-get if
# it may (root, or sudo without a password); otherwise it says what to install and leaves
# the failing to the test, which names the same packages.
set -euo pipefail

CHROMIUM=${BATCHLINE_BROWSER_CHROMIUM:-/usr/bin/chromium}
CHROMEDRIVER=${BATCHLINE_BROWSER_CHROMEDRIVER:-/usr/bin/chromedriver}
PACKAGES=(chromium chromium-driver)

if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-browser: $CHROMIUM or $CHROMEDRIVER is missing and there is no apt-get here." >&2
	echo "ensure-browser: install Chromium and its matching chromedriver; the console's browser test will fail until then." >&2
	exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	echo "ensure-browser: $CHROMIUM or $CHROMEDRIVER is missing, and installing needs root." >&2
	echo "ensure-browser: run 'sudo apt-get install -y ${PACKAGES[*]}'; the console's browser test will fail until then." >&2
	exit 0
fi

echo "ensure-browser: installing ${PACKAGES[*]} for the console's browser test"
export DEBIAN_FRONTEND=noninteractive
if ! { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq "${PACKAGES[@]}"; }; then
	echo "ensure-browser: apt-get could not install ${PACKAGES[*]}; the console's browser test will fail until they are installed." >&2
fi
