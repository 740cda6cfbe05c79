# Nhịp — TAP output for the packaging tests (sourced): ok STATUS WHAT counts a check,
# show TEXT prints a failure's details as comments, tap_end prints the plan and fails when
# a check did.
#
# SPDX-License-Identifier: GPL-3.0-or-later

n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

show() {
	local line
	while IFS= read -r line; do echo "#   $line"; done <<<"$1"
}

tap_end() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
