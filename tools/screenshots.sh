#!/usr/bin/env bash
# Renders every main screen of nhip-station in Vietnamese, from a fresh demo database, in a
# private X server: at 1024×600 into docs/screenshots/ and at 1280×800 into
# docs/screenshots/1280x800/ (the two screens a station has).
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

pages="login home search patient trends register visit diagnosis ask answer settings setup status picker call"
for size in 1024x600 1280x800; do
	dir=$out
	[ "$size" = 1024x600 ] || dir=$out/$size
	mkdir -p "$dir"
	for page in $pages; do
		LANGUAGE=vi LC_ALL=C.UTF-8 NHIP_LOCALEDIR="$tmp/locale" NHIP_NON_UNIQUE=1 \
			NHIP_SCREENSHOT_SIZE=$size \
			xvfb-run -a -s "-screen 0 ${size}x24 -nolisten tcp" \
			"$station" --demo --db "$tmp/station.db" --screenshot "$page" \
			--output "$dir/$page.png" >/dev/null
		echo "$dir/$page.png"
	done
done
