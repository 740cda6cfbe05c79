#!/usr/bin/env bash
# Folds the translation fragments in po/fragments/*.po into po/vi.po, then brings vi.po in
# line with a fresh extraction of the sources (new messages, removed ones dropped).
# Fragments hold the Vietnamese for messages added on a branch; see po/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
	--keyword=g_dngettext:2,3 --keyword=ngettext:1,2 --add-comments=TRANSLATORS \
	--package-name=nhip --files-from=po/POTFILES.in -o "$tmp/nhip.pot"
shopt -s nullglob
fragments=(po/fragments/*.po)
if [ ${#fragments[@]} -gt 0 ]; then
	for f in "${fragments[@]}"; do
		msgfmt --check -o /dev/null "$f"
	done
	# Existing translations win over fragments; fragments fill in what is new.
	msgcat --use-first -o "$tmp/all.po" po/vi.po "${fragments[@]}"
else
	cp po/vi.po "$tmp/all.po"
fi
msgmerge --quiet --no-fuzzy-matching -o "$tmp/merged.po" "$tmp/all.po" "$tmp/nhip.pot"
msgattrib --no-obsolete -o po/vi.po "$tmp/merged.po"
rm -f "${fragments[@]}"
LC_ALL=C msgfmt --check --statistics -o /dev/null po/vi.po
