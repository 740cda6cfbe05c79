#!/bin/bash
# Nhịp — nhip-setup-luks on a real loop device (root only): every refusal leaves the device
# as it was; then, where the kernel has device-mapper, the whole set-up with a passphrase
# (no TPM here) and a recovery key: both open the volume, the set-up key is gone, crypttab
# and fstab have their lines, the mounted folder is 0700 for its owner, and the station's
# own check (test-data-dir) finds it encrypted. A kernel without device-mapper gets the
# script's clear refusal instead, which is checked too. TPM2 enrolment cannot run here: it
# needs a TPM device node, and swtpm can make one only through the vtpm proxy or CUSE
# drivers, which this kernel does not have.
#
# usage: test-setup-luks.sh SOURCE_DIR BUILD_DIR   (TAP)
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail

src=$1
build=$2
script=$src/packaging/sbin/nhip-setup-luks
# shellcheck source=tests/packaging/tap.sh
. "$(dirname "$0")/tap.sh"

# expect exit status $1 and a message matching $2 from the script run with the rest
expect() {
	local status=$1 pattern=$2 what=$3
	shift 3
	out=$("$script" "$@" 2>&1 </dev/null)
	rc=$?
	if [ "$rc" -eq "$status" ] && grep -zqE "$pattern" <<<"$out"; then
		ok 0 "$what"
	else
		ok 1 "$what"
		echo "# exit $rc, output:"
		show "$out"
	fi
}

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (loop devices, cryptsetup)"
	exit 77
fi
for tool in losetup cryptsetup systemd-cryptenroll mkfs.ext4; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 77
	fi
done

tmp=$(mktemp -d)
loop=
cleanup() {
	mountpoint -q "$tmp/data" && umount "$tmp/data"
	mountpoint -q "$tmp/other" && umount "$tmp/other"
	[ -e /dev/mapper/nhip-test-data ] && cryptsetup close nhip-test-data
	[ -n "$loop" ] && losetup -d "$loop"
	rm -rf "$tmp"
}
trap cleanup EXIT
truncate -s 96M "$tmp/disk.img"
if ! loop=$(losetup -f --show "$tmp/disk.img" 2>/dev/null); then
	loop=
	echo "1..0 # SKIP no loop device can be set up here"
	exit 77
fi
mkdir -p "$tmp/etc" "$tmp/data" "$tmp/other"
printf 'UUID=0000 / ext4 defaults 0 1\n' >"$tmp/etc/fstab"
printf 'correct horse battery staple\n' >"$tmp/passphrase"
common=(--etc-dir "$tmp/etc" --mount-point "$tmp/data" --owner nobody --name nhip-test-data
	--yes)

# ---- refusals ------------------------------------------------------------------------------
expect 2 "is not a block device" "a regular file is refused" "${common[@]}" --no-tpm \
	"$tmp/disk.img"
expect 2 "no user nhip-nobody" "an unknown owner is refused" "${common[@]}" --no-tpm \
	--owner nhip-nobody "$loop"
expect 2 "no TPM 2.0 chip.*--no-tpm" "no TPM: explained, passphrase and recovery key offered" \
	"${common[@]}" "$loop"
touch "$tmp/data/station.db"
expect 2 "is not empty.*--migrate" "a mount point that holds files is refused" \
	"${common[@]}" --no-tpm "$loop"
rm "$tmp/data/station.db"
printf 'nhip-test-data UUID=1234 none luks\n' >"$tmp/etc/crypttab"
expect 2 "crypttab has a line for nhip-test-data" "an existing crypttab line is kept" \
	"${common[@]}" --no-tpm "$loop"
rm "$tmp/etc/crypttab"

mkfs.ext4 -q "$loop"
mount "$loop" "$tmp/other"
expect 2 "is mounted at" "a mounted device is refused" "${common[@]}" --no-tpm "$loop"
umount "$tmp/other"
expect 2 "holds a ext4 file system; --force" "a file system is not formatted without --force" \
	"${common[@]}" --no-tpm "$loop"
blkid -o value -s TYPE "$loop" | grep -qx ext4
ok $? "the refused device still holds its ext4 file system"

head -c 32 /dev/urandom >"$tmp/old.key"
cryptsetup luksFormat --type luks2 --batch-mode --key-file "$tmp/old.key" "$loop"
expect 2 "is a LUKS volume already; --force" "a LUKS volume is not formatted without --force" \
	"${common[@]}" --no-tpm "$loop"
cryptsetup open --test-passphrase --key-file "$tmp/old.key" "$loop"
ok $? "the refused LUKS volume still opens with its old key"

# ---- the set-up --------------------------------------------------------------------------------
if ! grep -qw device-mapper /proc/misc; then
	expect 2 "no device-mapper.*Nothing was changed" \
		"a kernel without device-mapper is refused before anything is written" \
		"${common[@]}" --no-tpm --force --passphrase-file "$tmp/passphrase" "$loop"
	cryptsetup open --test-passphrase --key-file "$tmp/old.key" "$loop"
	ok $? "and the volume is as it was"
	echo "# this kernel has no device-mapper: the formatted volume cannot be opened here"
	tap_end
	exit
fi

expect 2 "not asking on a pipe" "no confirmation without --yes on a pipe" \
	--etc-dir "$tmp/etc" --mount-point "$tmp/data" --owner nobody --no-tpm --force \
	--passphrase-file "$tmp/passphrase" "$loop"
out=$("$script" "${common[@]}" --no-tpm --force --passphrase-file "$tmp/passphrase" \
	--recovery-key-file "$tmp/recovery.txt" "$loop" 2>&1)
rc=$?
ok $rc "the set-up runs"
[ "$rc" -eq 0 ] || show "$out"
recovery=$(grep -Eo '([a-z]{8}-){7}[a-z]{8}' "$tmp/recovery.txt" | head -n 1)
grep -qF "$recovery" <<<"$out" && [ -n "$recovery" ]
ok $? "the recovery key is printed and written to the file given"
[ "$(stat -c %a "$tmp/recovery.txt")" = 600 ]
ok $? "the recovery key file is 0600"
cryptsetup luksDump "$loop" | grep -q "Version:.*2"
ok $? "the volume is LUKS2"
printf '%s' "$recovery" | cryptsetup open --test-passphrase --key-file - "$loop"
ok $? "the recovery key opens it"
printf 'correct horse battery staple' | cryptsetup open --test-passphrase --key-file - "$loop"
ok $? "the passphrase opens it"
[ "$(cryptsetup luksDump "$loop" | grep -cE '^  [0-9]+: luks2')" -eq 2 ]
ok $? "two key slots: the set-up key is gone"
uuid=$(cryptsetup luksUUID "$loop")
grep -qx "nhip-test-data UUID=$uuid none luks,discard" "$tmp/etc/crypttab"
ok $? "crypttab opens it by UUID at boot, asking for the passphrase"
grep -q "^/dev/mapper/nhip-test-data $tmp/data ext4 defaults,noatime 0 2$" "$tmp/etc/fstab" &&
	grep -q "^UUID=0000 / " "$tmp/etc/fstab"
ok $? "fstab mounts it, and keeps its other lines"
mountpoint -q "$tmp/data"
ok $? "it is mounted"
[ "$(stat -c '%a %U' "$tmp/data")" = "700 nobody" ]
ok $? "the mounted folder is 0700 and belongs to its owner"
NHIP_TEST_ENCRYPTED_DIR=$tmp/data NHIP_TEST_PLAIN_DIR=$tmp "$build/tests/app/test-data-dir" \
	-p /data-dir/luks-volume >/dev/null
ok $? "the station's check finds the folder encrypted, and its parent not"

tap_end
