#!/usr/bin/env bash
# Runs a Python AT-SPI test of nhip-station in a private X server (Xvfb, 1024×600) and a
# private D-Bus session with its own accessibility bus, so the test drives the real window
# the way a screen reader would. Exit 77 (skipped) when the tools are missing.
#   run-atspi.sh TEST.py NHIP-STATION [ARGS…]
set -u
for tool in xvfb-run dbus-run-session /usr/libexec/at-spi-bus-launcher; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "skipping: $tool is not installed (tools/dev installs it)"
		exit 77
	fi
done
if ! /usr/bin/python3 -c 'import pyatspi' 2>/dev/null; then
	echo "skipping: python3-pyatspi is not installed (tools/dev installs it)"
	exit 77
fi
if [ "${NHIP_IN_ATSPI_SESSION:-}" != 1 ]; then
	export NHIP_IN_ATSPI_SESSION=1
	# a server number of its own, so that runs close together never share a display
	exec xvfb-run -a -n $((100 + $$ % 800)) -s "-screen 0 1024x600x24 -nolisten tcp" \
		dbus-run-session -- "$0" "$@"
fi
/usr/libexec/at-spi-bus-launcher --launch-immediately &
bus=$!
trap 'kill $bus 2>/dev/null' EXIT
# the test wants accessibility on; the suite's defaults turn it off
unset NO_AT_BRIDGE
export GTK_A11Y=atspi
/usr/bin/python3 "$@"
