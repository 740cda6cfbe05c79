/*
 * Nhịp — packet benchmarks: sealing and opening a case of about 1 MB (a body and three
 * photo-sized attachments of random bytes, which do not compress), side by side with the
 * openssl command line doing the same CMS work; receipts signed and verified.
 *
 * usage: bench-packet [--seconds S] [--size BYTES] [--no-openssl]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "nhip-ca.h"
#include "nhip-packet.h"

static gdouble bench_seconds = 2.0;
static gint bench_size = 1024 * 1024;
static gboolean no_openssl = FALSE;

static void
check(gboolean ok, const GError *error, const gchar *what)
{
	if (!ok) {
		g_printerr("%s failed: %s\n", what, error != NULL ? error->message : "?");
		exit(1);
	}
}

static void
remove_tree(const gchar *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		if (g_file_test(child, G_FILE_TEST_IS_DIR))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

typedef struct {
	gint n;
	gdouble total_ms;
	gdouble best_ms;
	GArray *samples;
} Timing;

static gint
compare_double(gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
	return x < y ? -1 : x > y;
}

static void
report(const gchar *what, Timing *t, gsize bytes)
{
	gdouble median;

	g_array_sort(t->samples, compare_double);
	median = g_array_index(t->samples, gdouble, t->samples->len / 2);
	g_print("  %-34s %6d runs  median %8.2f ms  best %8.2f ms  %7.1f MB/s\n", what, t->n,
		median, t->best_ms, bytes / 1e6 / (median / 1e3));
	g_array_unref(t->samples);
}

static Timing
timing_new(void)
{
	Timing t = { 0, 0, G_MAXDOUBLE, g_array_new(FALSE, FALSE, sizeof(gdouble)) };
	return t;
}

static void
timing_add(Timing *t, gint64 start)
{
	gdouble ms = (g_get_monotonic_time() - start) / 1000.0;

	t->n++;
	t->total_ms += ms;
	t->best_ms = MIN(t->best_ms, ms);
	g_array_append_val(t->samples, ms);
}

static gboolean
timing_more(Timing *t)
{
	return t->n < 3 || t->total_ms < bench_seconds * 1000;
}

static GPtrArray *
make_attachments(gsize total)
{
	GPtrArray *list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_packet_attachment_free);
	g_autoptr(GRand) rand = g_rand_new_with_seed(11);

	for (guint i = 0; i < 3; i++) {
		gsize size = total / 3;
		guint8 *data = g_malloc(size);
		g_autoptr(GBytes) bytes = NULL;
		g_autofree gchar *name = g_strdup_printf("img/%u.jpg", i + 1);
		for (gsize k = 0; k < size; k++)
			data[k] = (guint8)g_rand_int(rand);
		bytes = g_bytes_new_take(data, size);
		g_ptr_array_add(list, nhip_packet_attachment_new(name, "image/jpeg", bytes));
	}
	return list;
}

/* the openssl command line doing the hub's work on the same packet, for comparison */
static void
bench_openssl_cli(const gchar *dir, const gchar *hub, GBytes *sealed)
{
	g_autofree gchar *packet = g_build_filename(dir, "p.cms", NULL);
	g_autofree gchar *sd = g_build_filename(dir, "sd.der", NULL);
	g_autofree gchar *tar = g_build_filename(dir, "p.tar", NULL);
	g_autofree gchar *enc_crt = nhip_ca_path(hub, NHIP_CA_FILE_ENC_CERT);
	g_autofree gchar *enc_key = nhip_ca_path(hub, NHIP_CA_FILE_ENC_KEY);
	g_autofree gchar *ca = nhip_ca_path(hub, NHIP_CA_FILE_CA_CERT);
	const gchar *decrypt[] = { "openssl", "cms",   "-decrypt", "-binary", "-inform",
				   "DER",     "-in",   packet,	   "-recip",  enc_crt,
				   "-inkey",  enc_key, "-out",	   sd,	      NULL };
	const gchar *verify[] = { "openssl", "cms", "-verify", "-binary", "-inform",
				  "DER",     "-in", sd,	       "-CAfile", ca,
				  "-out",    tar,   NULL };
	Timing t = timing_new();

	if (!g_file_set_contents(packet, g_bytes_get_data(sealed, NULL),
				 (gssize)g_bytes_get_size(sealed), NULL))
		return;
	while (timing_more(&t)) {
		gint64 start = g_get_monotonic_time();
		gint status = -1;
		if (!g_spawn_sync(NULL, (gchar **)decrypt, NULL,
				  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
					  G_SPAWN_STDERR_TO_DEV_NULL,
				  NULL, NULL, NULL, NULL, &status, NULL) ||
		    status != 0 ||
		    !g_spawn_sync(NULL, (gchar **)verify, NULL,
				  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
					  G_SPAWN_STDERR_TO_DEV_NULL,
				  NULL, NULL, NULL, NULL, &status, NULL) ||
		    status != 0) {
			g_print("  openssl cms: not available, skipped\n");
			g_array_unref(t.samples);
			return;
		}
		timing_add(&t, start);
	}
	report("openssl cms -decrypt + -verify", &t, g_bytes_get_size(sealed));
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GOptionContext) context = g_option_context_new("");
	g_autofree gchar *dir = NULL;
	g_autofree gchar *hub = NULL;
	g_autofree gchar *key = NULL;
	g_autofree gchar *crt = NULL;
	g_autoptr(NhipIdentity) hub_enc = NULL;
	g_autoptr(NhipIdentity) hub_sign = NULL;
	g_autoptr(NhipIdentity) station = NULL;
	g_autoptr(X509_STORE) trust = NULL;
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) cert = NULL;
	g_autoptr(GPtrArray) attachments = NULL;
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(GBytes) receipt = NULL;
	Timing t;
	gsize payload = 0;
	gint64 sequence = 1;
	GOptionEntry entries[] = { { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &bench_seconds,
				     "Seconds per figure", "S" },
				   { "size", 0, 0, G_OPTION_ARG_INT, &bench_size,
				     "Attachment bytes in the packet", "N" },
				   { "no-openssl", 0, 0, G_OPTION_ARG_NONE, &no_openssl,
				     "Skip the openssl CLI", NULL },
				   { NULL } };

	g_option_context_add_main_entries(context, entries, NULL);
	check(g_option_context_parse(context, &argc, &argv, &error), error, "options");
	dir = g_dir_make_tmp("nhip-bench-packet-XXXXXX", &error);
	check(dir != NULL, error, "temporary folder");
	hub = g_build_filename(dir, "hub", NULL);
	key = g_build_filename(dir, "station.key", NULL);
	crt = g_build_filename(dir, "station.crt", NULL);
	check(nhip_ca_init(hub, "Bench", NULL, &error), error, "CA");
	hub_enc = nhip_ca_load_identity(hub, NHIP_CA_ROLE_ENCRYPTION, &error);
	hub_sign = nhip_ca_load_identity(hub, NHIP_CA_ROLE_SIGNING, &error);
	trust = nhip_ca_trust_store(hub, &error);
	check(nhip_identity_generate_key(key, &error), error, "station key");
	csr = nhip_identity_make_csr(key, "BENCH-1", &error);
	cert = nhip_ca_issue_station_cert(hub, csr, "BENCH-1", &error);
	check(cert != NULL, error, "station certificate");
	check(g_file_set_contents(crt, g_bytes_get_data(cert, NULL), (gssize)g_bytes_get_size(cert),
				  &error),
	      error, "write");
	station = nhip_identity_load(key, crt, &error);
	check(station != NULL, error, "station identity");

	attachments = make_attachments((gsize)bench_size);
	body = g_bytes_new_static("{\"resourceType\":\"Bundle\",\"type\":\"collection\"}", 45);
	payload = g_bytes_get_size(body);
	for (guint i = 0; i < attachments->len; i++)
		payload += g_bytes_get_size(
			((NhipPacketAttachment *)g_ptr_array_index(attachments, i))->data);
	g_print("packet: %.2f MB of content (3 attachments of random bytes)\n", payload / 1e6);

	t = timing_new();
	while (timing_more(&t)) {
		g_autoptr(NhipPacketManifest) manifest =
			nhip_packet_manifest_new(NHIP_PACKET_KIND_CASE, "BENCH-1");
		gint64 start = g_get_monotonic_time();
		manifest->sequence = sequence++;
		g_clear_pointer(&sealed, g_bytes_unref);
		sealed = nhip_packet_seal(manifest, body, attachments, station,
					  nhip_identity_get_certificate(hub_enc), &error);
		check(sealed != NULL, error, "seal");
		timing_add(&t, start);
	}
	report("seal (sign + encrypt)", &t, payload);
	g_print("  sealed size %zu bytes (%.2f %% overhead)\n", g_bytes_get_size(sealed),
		100.0 * ((gdouble)g_bytes_get_size(sealed) - payload) / payload);

	t = timing_new();
	while (timing_more(&t)) {
		gint64 start = g_get_monotonic_time();
		g_autoptr(NhipPacketContents) contents =
			nhip_packet_open(sealed, hub_enc, trust, &error);
		check(contents != NULL, error, "open");
		timing_add(&t, start);
	}
	report("open (decrypt + verify + hashes)", &t, payload);

	t = timing_new();
	while (timing_more(&t)) {
		gint64 start = g_get_monotonic_time();
		g_clear_pointer(&receipt, g_bytes_unref);
		receipt = nhip_receipt_sign("0f8fad5b-d9cb-469f-a165-70867728950e", sealed,
					    hub_sign, &error);
		check(receipt != NULL, error, "receipt");
		check(nhip_receipt_verify(receipt, "0f8fad5b-d9cb-469f-a165-70867728950e", sealed,
					  nhip_identity_get_certificate(hub_sign), &error),
		      error, "receipt verify");
		timing_add(&t, start);
	}
	report("receipt sign + verify", &t, g_bytes_get_size(sealed));

	if (!no_openssl)
		bench_openssl_cli(dir, hub, sealed);
	remove_tree(dir);
	return 0;
}
