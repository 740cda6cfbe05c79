#!/usr/bin/env bash
# Fails when a C source differs from what .clang-format makes of it.
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
[ -n "$files" ] || exit 0
exec clang-format --dry-run --Werror $files
