#!/bin/bash
# Nhịp — the systemd units of packaging/systemd/ pass `systemd-analyze verify` with no
# message at all (unknown keys, bad values, missing programs, ordering cycles). The programs
# are taken from the build folder: copies of the units name them there instead of /usr/bin.
# The installed units are verified again inside a Debian root by test-debs.sh.
#
# usage: test-units.sh SOURCE_DIR BUILD_DIR   (TAP)
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail

src=$1
build=$2
# shellcheck source=tests/packaging/tap.sh
. "$(dirname "$0")/tap.sh"
if ! command -v systemd-analyze >/dev/null; then
	echo "1..0 # SKIP systemd-analyze is not installed"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for unit in "$src"/packaging/systemd/*.service "$src"/packaging/systemd/*.timer; do
	name=$(basename "$unit")
	sed -e "s|/usr/bin/nhipctl|$build/app/nhipctl|g" \
		-e "s|/usr/bin/nhip-hub|$build/hub/nhip-hub|g" \
		-e "s|/usr/bin/nhip-station|$build/ui/nhip-station|g" "$unit" >"$tmp/$name"
done
for unit in "$tmp"/*; do
	out=$(cd "$tmp" && systemd-analyze verify "./$(basename "$unit")" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && [ -z "$out" ]
	ok $? "$(basename "$unit")"
	[ -z "$out" ] || show "$out"
done

# every service that runs one of our programs runs it as an unprivileged user, and the
# long-running ones are restarted
for unit in "$src"/packaging/systemd/*.service; do
	name=$(basename "$unit")
	grep -qE '^User=_nhip(hub)?$' "$unit"
	ok $? "$name runs as an unprivileged user"
	if grep -q '^Type=simple' "$unit"; then
		grep -qE '^Restart=(always|on-failure)$' "$unit"
		ok $? "$name is restarted"
	fi
done
tap_end
