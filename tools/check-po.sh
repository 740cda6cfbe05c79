#!/usr/bin/env bash
# Checks that the translations are complete: every source file with translatable strings
# is listed in po/POTFILES.in, and po/vi.po translates every message of a fresh
# extraction, with no fuzzy or untranslated entries and valid format strings.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# Every listed file exists.
while read -r f; do
	case "$f" in '' | '#'*) continue ;; esac
	if [ ! -f "$f" ]; then
		echo "po/POTFILES.in lists $f, which does not exist" >&2
		status=1
	fi
done <po/POTFILES.in

# Every tracked source file that marks strings is listed.
git ls-files -- '*.c' '*.ui' 2>/dev/null | while read -r f; do
	case "$f" in tests/* | bench/* | fuzz/*) continue ;; esac
	if grep -qE '(^|[^A-Za-z0-9_])(N?_|C_|NC_|g_dngettext|ngettext)\(|translatable="yes"' "$f" &&
		! grep -qxF "$f" po/POTFILES.in; then
		echo "$f has translatable strings but is not listed in po/POTFILES.in" >&2
		exit 1
	fi
done || status=1

xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
	--keyword=g_dngettext:2,3 --keyword=ngettext:1,2 --add-comments=TRANSLATORS \
	--files-from=po/POTFILES.in -o "$tmp/nhip.pot" 2>"$tmp/xgettext.err" || {
	cat "$tmp/xgettext.err" >&2
	exit 1
}

for lang in $(grep -v '^#' po/LINGUAS); do
	if ! msgcmp "po/$lang.po" "$tmp/nhip.pot" 2>"$tmp/msgcmp.err"; then
		echo "po/$lang.po does not translate every message (see po/README.md):" >&2
		head -n 20 "$tmp/msgcmp.err" >&2
		status=1
	fi
	stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "po/$lang.po" 2>&1) || {
		echo "$stats" >&2
		status=1
	}
	case "$stats" in
	*fuzzy* | *untranslated*)
		echo "po/$lang.po: $stats" >&2
		status=1
		;;
	esac
done

if [ -n "$(ls po/fragments/*.po 2>/dev/null)" ]; then
	echo "po/fragments/ still holds $(ls po/fragments/*.po | tr '\n' ' '); merge them into po/vi.po" >&2
	status=1
fi
exit $status
