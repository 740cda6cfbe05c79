#!/usr/bin/env bash
# Renders every main screen of nhip-station at 1024×600 in Vietnamese into
# docs/screenshots/, from a fresh demo database, in a private X server.
#   tools/screenshots.sh [BUILDDIR]      (meson: ninja -C BUILDDIR screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
station=$build/ui/nhip-station
out=docs/screenshots
if [ ! -x "$station" ]; then
	echo "tools/screenshots.sh: $station is not built; run: ninja -C $build" >&2
	exit 1
fi
for tool in xvfb-run msgfmt msgcat; do
	if ! command -v "$tool" >/dev/null; then
		echo "tools/screenshots.sh: $tool is missing; tools/dev installs it" >&2
		exit 1
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the Vietnamese catalogue with the fragments not yet merged into vi.po
mkdir -p "$tmp/locale/vi/LC_MESSAGES"
msgcat --use-first po/vi.po po/fragments/*.po -o "$tmp/vi.po"
msgfmt -o "$tmp/locale/vi/LC_MESSAGES/nhip.mo" "$tmp/vi.po"

mkdir -p "$out"
pages="login home search patient trends register visit diagnosis ask settings"
for page in $pages; do
	LANGUAGE=vi LC_ALL=C.UTF-8 NHIP_LOCALEDIR="$tmp/locale" NHIP_NON_UNIQUE=1 \
		xvfb-run -a -s "-screen 0 1024x600x24 -nolisten tcp" \
		"$station" --demo --db "$tmp/station.db" --screenshot "$page" --output "$out/$page.png" \
		>/dev/null
	echo "$out/$page.png"
done
