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
if ! command -v systemd-analyze >/dev/null; then
	echo "1..0 # SKIP systemd-analyze is not installed"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
for unit in "$src"/packaging/systemd/*.service "$src"/packaging/systemd/*.timer; do
	name=$(basename "$unit")
	sed -e "s|/usr/bin/nhipctl|$build/app/nhipctl|g" \
		-e "s|/usr/bin/nhip-hub|$build/hub/nhip-hub|g" \
		-e "s|/usr/bin/nhip-station|$build/ui/nhip-station|g" "$unit" >"$tmp/$name"
done
for unit in "$tmp"/*; do
	n=$((n + 1))
	out=$(cd "$tmp" && systemd-analyze verify "./$(basename "$unit")" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		echo "ok $n - $(basename "$unit")"
	else
		echo "not ok $n - $(basename "$unit")"
		while IFS= read -r line; do echo "#   $line"; done <<<"$out"
		failed=$((failed + 1))
	fi
done

# every service that runs one of our programs runs it as an unprivileged user, and the
# long-running ones are restarted
for unit in "$src"/packaging/systemd/*.service; do
	name=$(basename "$unit")
	n=$((n + 1))
	if grep -qE '^User=_nhip(hub)?$' "$unit"; then
		echo "ok $n - $name runs as an unprivileged user"
	else
		echo "not ok $n - $name runs as an unprivileged user"
		failed=$((failed + 1))
	fi
	if grep -q '^Type=simple' "$unit"; then
		n=$((n + 1))
		if grep -qE '^Restart=(always|on-failure)$' "$unit"; then
			echo "ok $n - $name is restarted"
		else
			echo "not ok $n - $name is restarted"
			failed=$((failed + 1))
		fi
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
