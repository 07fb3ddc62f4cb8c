#!/usr/bin/env bash
# Makes sure the tools a test needs are installed from Debian's packages.
#   ensure-packages.sh "<what needs them>" <command or path>=<package> ...
# e.g. ensure-packages.sh "the console's browser test" /usr/bin/chromium=chromium /usr/bin/chromedriver=chromium-driver
# The build runs this before the tests that need the tools. When one is missing it installs its
# package with apt-get if it may (root, or sudo without a password); otherwise it says what to
# install and leaves the failing (or skipping, with a reason) to the test.
set -euo pipefail

purpose=$1
shift
missing=()
for pair in "$@"; do
	tool=${pair%%=*}
	package=${pair#*=}
	if [[ $tool == /* ]]; then
		[[ -x $tool ]] || missing+=("$package")
	else
		command -v "$tool" >/dev/null 2>&1 || missing+=("$package")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-packages: ${missing[*]} missing for $purpose, and there is no apt-get here; install them." >&2
	exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	echo "ensure-packages: ${missing[*]} missing for $purpose, and installing needs root." >&2
	echo "ensure-packages: run 'sudo apt-get install -y ${missing[*]}'." >&2
	exit 0
fi

echo "ensure-packages: installing ${missing[*]} for $purpose"
export DEBIAN_FRONTEND=noninteractive
# A package installed for a test must not start a daemon (Debian's prometheus would listen on
# 9090, the api-service's gRPC port): while installing, a policy-rc.d denies every service
# start (invoke-rc.d and deb-systemd-invoke obey it), unless the machine has a policy of its own.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
	"${as_root[@]}" sh -c "printf '#!/bin/sh\\nexit 101\\n' > $policy && chmod 755 $policy"
	trap '"${as_root[@]}" rm -f "$policy"' EXIT
fi
if ! { "${as_root[@]}" apt-get update -qq && "${as_root[@]}" apt-get install -y -qq "${missing[@]}"; }; then
	echo "ensure-packages: apt-get could not install ${missing[*]}; $purpose will fail until they are installed." >&2
fi
