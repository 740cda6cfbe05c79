#!/usr/bin/env bash
# Builds the Debian packages nhip-station and nhip-hub from a copy of the tree (the
# checkout gets no build products), then checks them with lintian (errors fail).
#   tools/build-debs.sh OUTDIR     → OUTDIR/*.deb, OUTDIR/*.changes, OUTDIR/lintian.txt
# Needs dpkg-dev, debhelper, lintian and the Build-Depends of packaging/debian/control
# (tools/dev installs them all).
set -euo pipefail
cd "$(dirname "$0")/.."


out=${1:?usage: tools/build-debs.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(sed -n '1s/^nhip (\([^)]*\)).*/\1/p' packaging/debian/changelog)
work=$out/src
rm -rf "$work"
mkdir -p "$work/nhip-$version"

# the tracked files that are there, and new ones not ignored (a developer's uncommitted
# work): never the build folders, whatever their names
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
	done |
	xargs -0 cp -P --parents -t "$work/nhip-$version"
cp -r packaging/debian "$work/nhip-$version/debian"

start=$(date +%s)
(cd "$work/nhip-$version" && dpkg-buildpackage -us -uc -b -j2) >"$out/build.log" 2>&1 || {
	tail -n 60 "$out/build.log" >&2
	echo "build-debs: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
	exit 1
}
echo "build-debs: packages built in $(($(date +%s) - start)) s"
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
changes=$(ls "$out"/nhip_"${version}"_*.changes)
status=0
lintian --fail-on error --info --display-level '>=warning' "$changes" >"$out/lintian.txt" 2>&1 || status=$?
cat "$out/lintian.txt"
if [ "$status" -ne 0 ]; then
	echo "build-debs: lintian found errors (exit $status)" >&2
	exit 1
fi
rm -rf "$work"
ls "$out"/*.deb
