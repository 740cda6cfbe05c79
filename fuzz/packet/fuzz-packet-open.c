/*
 * Nhịp — libFuzzer target of what the hub and the station take from outside: a sealed
 * packet (nhip_packet_open()), a receipt (nhip_receipt_verify()) and an enrollment answer
 * (nhip_enroll_bundle_parse()). Keys and certificates are made once per run by the CA
 * code in a temporary folder. Every input must end in a packet error, never a crash, a
 * leak or an OpenSSL error left on the queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <openssl/err.h>
#include <stdlib.h>

#include "nhip-ca.h"
#include "nhip-enroll.h"
#include "nhip-packet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static NhipIdentity *hub_enc;
static NhipIdentity *hub_sign;
static X509_STORE *trust;
static gchar *dir;

static void
fuzz_check(gboolean condition, const gchar *what)
{
	if (!condition) {
		g_printerr("invariant broken: %s\n", what);
		abort();
	}
}

static void
remove_tree(const gchar *path)
{
	g_autoptr(GDir) folder = g_dir_open(path, 0, NULL);
	const gchar *name;

	while (folder != NULL && (name = g_dir_read_name(folder)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

static void
fuzz_cleanup(void)
{
	g_clear_object(&hub_enc);
	g_clear_object(&hub_sign);
	g_clear_pointer(&trust, X509_STORE_free);
	if (dir != NULL)
		remove_tree(dir);
	g_clear_pointer(&dir, g_free);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *hub = NULL;

	dir = g_dir_make_tmp("nhip-fuzz-packet-XXXXXX", &error);
	fuzz_check(dir != NULL, "a temporary folder");
	hub = g_build_filename(dir, "hub", NULL);
	fuzz_check(nhip_ca_init(hub, "Fuzz", NULL, &error), "a CA");
	hub_enc = nhip_ca_load_identity(hub, NHIP_CA_ROLE_ENCRYPTION, &error);
	hub_sign = nhip_ca_load_identity(hub, NHIP_CA_ROLE_SIGNING, &error);
	trust = nhip_ca_trust_store(hub, &error);
	fuzz_check(hub_enc != NULL && hub_sign != NULL && trust != NULL, "the hub identities");
	atexit(fuzz_cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	g_autoptr(GBytes) input = g_bytes_new(data, size);
	g_autoptr(GBytes) sealed = g_bytes_new_static("x", 1);
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autoptr(NhipEnrollBundle) bundle = NULL;
	g_autoptr(GError) error = NULL;

	contents = nhip_packet_open(input, hub_enc, trust, &error);
	/* without the station's key nothing a fuzzer makes can pass the GCM check */
	fuzz_check(contents == NULL && error != NULL && error->domain == NHIP_PACKET_ERROR,
		   "packets are refused with a packet error");
	fuzz_check(ERR_peek_error() == 0, "no OpenSSL error left behind");
	g_clear_error(&error);

	fuzz_check(!nhip_receipt_verify(input, "0f8fad5b-d9cb-469f-a165-70867728950e", sealed,
					nhip_identity_get_certificate(hub_sign), &error) &&
			   error != NULL && error->domain == NHIP_PACKET_ERROR,
		   "receipts are refused with a packet error");
	fuzz_check(ERR_peek_error() == 0, "no OpenSSL error left behind");
	g_clear_error(&error);

	bundle = nhip_enroll_bundle_parse(input, "aaaaaaaa-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
					  &error);
	fuzz_check(bundle == NULL && error != NULL && error->domain == NHIP_IDENTITY_ERROR,
		   "enrollment answers are refused with an identity error");
	fuzz_check(ERR_peek_error() == 0, "no OpenSSL error left behind");
	return 0;
}
