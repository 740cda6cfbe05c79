/*
 * Nhịp — case packets, replies, receipts and the replay rule, with certificates made by
 * the CA code and the openssl command line as the independent peer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <openssl/err.h>
#include <string.h>

#include "nhip-packet-private.h"
#include "nhip-packet-test-utils.h"

typedef NhipPacketFixture Fixture;

static GBytes *
body_json(void)
{
	static const gchar text[] = "{\"resourceType\":\"Bundle\",\"type\":\"collection\","
				    "\"entry\":[{\"resource\":{\"resourceType\":\"Patient\","
				    "\"name\":[{\"text\":\"Nguyễn Thị Mai\"}]}}]}";
	return g_bytes_new_static(text, sizeof(text) - 1);
}

/* a photo-like attachment of @size pseudo-random bytes */
static NhipPacketAttachment *
photo(const gchar *name, gsize size, guint32 seed)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	guint8 *data = g_malloc(size);
	g_autoptr(GBytes) bytes = NULL;

	for (gsize i = 0; i < size; i++)
		data[i] = (guint8)g_rand_int(rand);
	bytes = g_bytes_new_take(data, size);
	return nhip_packet_attachment_new(name, "image/jpeg", bytes);
}

static GPtrArray *
photos(void)
{
	GPtrArray *list =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_packet_attachment_free);

	g_ptr_array_add(list, photo("img/1.jpg", 40000, 1));
	g_ptr_array_add(list, photo("img/2.jpg", 513, 2));
	return list;
}

static NhipPacketManifest *
case_manifest(const gchar *station, gint64 sequence)
{
	NhipPacketManifest *manifest = nhip_packet_manifest_new(NHIP_PACKET_KIND_CASE, station);

	manifest->sequence = sequence;
	manifest->urgent = TRUE;
	return manifest;
}

/* a case sealed by the fixture's station to the fixture's hub */
static GBytes *
seal_case(Fixture *fixture, NhipPacketManifest *manifest)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GPtrArray) attachments = photos();
	GBytes *sealed;

	sealed = nhip_packet_seal(manifest, body, attachments, fixture->station,
				  nhip_identity_get_certificate(fixture->hub_enc), &error);
	g_assert_no_error(error);
	g_assert_nonnull(sealed);
	return sealed;
}

/* a packet no honest sealer makes: @manifest's recipient and time set for the fixture's
 * hub unless given, hashes filled only with @fill_hashes, signed by @signer */
static GBytes *
seal_crafted(Fixture *fixture,
	     NhipPacketManifest *manifest,
	     gboolean fill_hashes,
	     NhipIdentity *signer)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) tar = NULL;
	GBytes *sealed;

	if (manifest->recipient == NULL)
		manifest->recipient =
			nhip_x509_recipient_id(nhip_identity_get_certificate(fixture->hub_enc));
	if (manifest->created == NULL)
		manifest->created = g_date_time_new_now_utc();
	tar = nhipi_packet_build_tar(manifest, body, NULL, fill_hashes, &error);
	g_assert_no_error(error);
	sealed = nhipi_packet_sign_encrypt(tar, signer,
					   nhip_identity_get_certificate(fixture->hub_enc), &error);
	g_assert_no_error(error);
	return sealed;
}

static void
assert_open_fails(Fixture *fixture, GBytes *der, NhipPacketError code)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketContents) contents =
		nhip_packet_open(der, fixture->hub_enc, fixture->trust, &error);

	g_assert_null(contents);
	g_assert_error(error, NHIP_PACKET_ERROR, (gint)code);
	g_test_message("refused (%s): %s", nhip_packet_error_to_reason(code), error->message);
	g_assert_cmpuint(ERR_peek_error(), ==, 0);
}

static void
test_round_trip(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 7);
	g_autoptr(GBytes) sealed = seal_case(fixture, manifest);
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GPtrArray) expected = photos();
	g_autofree gchar *recipient =
		nhip_x509_recipient_id(nhip_identity_get_certificate(fixture->hub_enc));
	const guint8 *der = g_bytes_get_data(sealed, NULL);

	/* DER, not PEM or base64 */
	g_assert_cmpuint(der[0], ==, 0x30);
	contents = nhip_packet_open(sealed, fixture->hub_enc, fixture->trust, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(contents->signer_code, ==, "ST-001");
	g_assert_cmpstr(contents->manifest->station_code, ==, "ST-001");
	g_assert_cmpstr(contents->manifest->packet_id, ==, manifest->packet_id);
	g_assert_cmpint(contents->manifest->sequence, ==, 7);
	g_assert_true(contents->manifest->urgent);
	g_assert_cmpint(contents->manifest->kind, ==, NHIP_PACKET_KIND_CASE);
	g_assert_cmpstr(contents->manifest->recipient, ==, recipient);
	g_assert_null(contents->manifest->in_reply_to);
	g_assert_nonnull(contents->manifest->created);
	g_assert_true(g_bytes_equal(contents->body, body));
	g_assert_cmpuint(contents->manifest->files->len, ==, 3);
	g_assert_cmpuint(contents->attachments->len, ==, 2);
	for (guint i = 0; i < expected->len; i++) {
		NhipPacketAttachment *want = g_ptr_array_index(expected, i);
		NhipPacketAttachment *got = g_ptr_array_index(contents->attachments, i);
		g_assert_cmpstr(got->name, ==, want->name);
		g_assert_cmpstr(got->type, ==, "image/jpeg");
		g_assert_true(g_bytes_equal(got->data, want->data));
	}
}

/* the demand: `openssl cms` decrypts and verifies a packet the station made, and
 * GNU tar reads the archive inside */
static void
test_openssl_cli_opens(Fixture *fixture, gconstpointer data)
{
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) sealed = seal_case(fixture, manifest);
	g_autofree gchar *packet = g_build_filename(fixture->tmp, "p.cms", NULL);
	g_autofree gchar *sd = g_build_filename(fixture->tmp, "sd.der", NULL);
	g_autofree gchar *tar = g_build_filename(fixture->tmp, "packet.tar", NULL);
	g_autofree gchar *enc_crt = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_ENC_CERT);
	g_autofree gchar *enc_key = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_ENC_KEY);
	g_autofree gchar *ca = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_CA_CERT);
	g_autofree gchar *crl = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_CRL);
	g_autofree gchar *out = NULL;
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) extracted = NULL;
	gint status = -1;

	nhip_test_write(packet, sealed);
	{
		const gchar *argv[] = { "openssl", "cms", "-cmsout", "-print", "-inform",
					"DER",	   "-in", packet,    NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
		g_assert_nonnull(strstr(out, "id-smime-ct-authEnvelopedData"));
		g_assert_nonnull(strstr(out, "aes-256-gcm"));
	}
	{
		const gchar *argv[] = { "openssl", "cms",   "-decrypt", "-binary", "-inform",
					"DER",	   "-in",   packet,	"-recip",  enc_crt,
					"-inkey",  enc_key, "-out",	sd,	   NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
	}
	{
		/* openssl cms has no -CRLfile: the CRL goes into the CA file */
		g_autofree gchar *ca_crl = g_build_filename(fixture->tmp, "ca-crl.pem", NULL);
		g_autoptr(GBytes) ca_pem = nhip_test_read(ca);
		g_autoptr(GBytes) crl_pem = nhip_test_read(crl);
		g_autofree gchar *both = g_strconcat(g_bytes_get_data(ca_pem, NULL),
						     g_bytes_get_data(crl_pem, NULL), NULL);
		g_autoptr(GBytes) both_bytes = g_bytes_new_static(both, strlen(both));
		const gchar *argv[] = { "openssl",   "cms",  "-verify",	   "-binary",
					"-inform",   "DER",  "-in",	   sd,
					"-CAfile",   ca_crl, "-crl_check", "-purpose",
					"smimesign", "-out", tar,	   NULL };
		nhip_test_write(ca_crl, both_bytes);
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_test_message("%s", out);
		g_assert_cmpint(status, ==, 0);
		g_assert_nonnull(strstr(out, "Verification successful"));
	}
	{
		const gchar *argv[] = { "openssl", "cms", "-cmsout", "-print", "-inform",
					"DER",	   "-in", sd,	     NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
		g_assert_nonnull(strstr(out, "sha256"));
		g_assert_nonnull(strstr(out, "ecdsa-with-SHA256"));
	}
	{
		const gchar *argv[] = { "tar", "-tf", tar, NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
		g_assert_cmpstr(out, ==, "manifest.json\ncase.json\nimg/1.jpg\nimg/2.jpg\n");
	}
	{
		g_autofree gchar *dir = g_build_filename(fixture->tmp, "x", NULL);
		g_autofree gchar *case_path = g_build_filename(dir, "case.json", NULL);
		const gchar *argv[] = { "tar", "-xf", tar, "-C", dir, NULL };
		g_mkdir_with_parents(dir, 0700);
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
		extracted = nhip_test_read(case_path);
		g_assert_true(g_bytes_equal(extracted, body));
	}
}

/* the other way: a packet made with the openssl and tar command lines opens in C */
static void
test_openssl_cli_made(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 3);
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) manifest_json = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autofree gchar *dir = g_build_filename(fixture->tmp, "cli", NULL);
	g_autofree gchar *manifest_path = g_build_filename(dir, "manifest.json", NULL);
	g_autofree gchar *case_path = g_build_filename(dir, "case.json", NULL);
	g_autofree gchar *tar = g_build_filename(fixture->tmp, "cli.tar", NULL);
	g_autofree gchar *sd = g_build_filename(fixture->tmp, "cli-sd.der", NULL);
	g_autofree gchar *packet = g_build_filename(fixture->tmp, "cli.cms", NULL);
	g_autofree gchar *crt = g_build_filename(fixture->tmp, "ST-001.crt", NULL);
	g_autofree gchar *enc_crt = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_ENC_CERT);
	g_autofree gchar *sha =
		nhipi_sha256_hex(g_bytes_get_data(body, NULL), g_bytes_get_size(body));
	g_autofree gchar *out = NULL;
	gint status = -1;

	g_mkdir_with_parents(dir, 0700);
	manifest->recipient =
		nhip_x509_recipient_id(nhip_identity_get_certificate(fixture->hub_enc));
	manifest->created = g_date_time_new_now_utc();
	g_ptr_array_add(manifest->files, g_new0(NhipPacketFile, 1));
	((NhipPacketFile *)manifest->files->pdata[0])->name = g_strdup("case.json");
	((NhipPacketFile *)manifest->files->pdata[0])->type = g_strdup("application/fhir+json");
	((NhipPacketFile *)manifest->files->pdata[0])->sha256 = g_strdup(sha);
	((NhipPacketFile *)manifest->files->pdata[0])->size = g_bytes_get_size(body);
	manifest_json = nhipi_manifest_to_json(manifest);
	nhip_test_write(manifest_path, manifest_json);
	nhip_test_write(case_path, body);
	{
		const gchar *argv[] = { "tar", "--format=ustar", "-C",	      dir, "-cf",
					tar,   "manifest.json",	 "case.json", NULL };
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
	}
	{
		const gchar *argv[] = { "openssl",
					"cms",
					"-sign",
					"-binary",
					"-md",
					"sha256",
					"-nodetach",
					"-signer",
					crt,
					"-inkey",
					fixture->station_key,
					"-in",
					tar,
					"-outform",
					"DER",
					"-out",
					sd,
					NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
	}
	{
		const gchar *argv[] = { "openssl", "cms",   "-encrypt", "-binary", "-aes-256-gcm",
					"-in",	   sd,	    "-outform", "DER",	   "-out",
					packet,	   enc_crt, NULL };
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
	}
	sealed = nhip_test_read(packet);
	contents = nhip_packet_open(sealed, fixture->hub_enc, fixture->trust, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(contents->signer_code, ==, "ST-001");
	g_assert_cmpint(contents->manifest->sequence, ==, 3);
	g_assert_true(g_bytes_equal(contents->body, body));

	/* the same signed content in a plain EnvelopedData (AES-CBC) is refused, not
	 * decrypted: only AuthEnvelopedData authenticates the ciphertext */
	{
		const gchar *argv[] = { "openssl", "cms",   "-encrypt", "-binary", "-aes-256-cbc",
					"-in",	   sd,	    "-outform", "DER",	   "-out",
					packet,	   enc_crt, NULL };
		g_autoptr(GBytes) enveloped = NULL;
		g_free(out);
		out = nhip_packet_test_run(argv, &status);
		g_assert_cmpint(status, ==, 0);
		enveloped = nhip_test_read(packet);
		assert_open_fails(fixture, enveloped, NHIP_PACKET_ERROR_MALFORMED);
	}
}

static void
test_tampered(Fixture *fixture, gconstpointer data)
{
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) sealed = seal_case(fixture, manifest);
	gsize length = g_bytes_get_size(sealed);
	/* the 16-byte GCM tag closes the DER; just before it is ciphertext */
	gsize offsets[] = { length - 40, length / 2, length - 3 };

	for (gsize i = 0; i < G_N_ELEMENTS(offsets); i++) {
		guint8 *copy = g_memdup2(g_bytes_get_data(sealed, NULL), length);
		g_autoptr(GBytes) bad = NULL;
		copy[offsets[i]] ^= 0x01;
		bad = g_bytes_new_take(copy, length);
		assert_open_fails(fixture, bad, NHIP_PACKET_ERROR_TAMPERED);
	}
}

static void
test_truncated(Fixture *fixture, gconstpointer data)
{
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) sealed = seal_case(fixture, manifest);
	gsize cuts[] = { 0, 1, 2, 100, g_bytes_get_size(sealed) / 2, g_bytes_get_size(sealed) - 1 };

	for (gsize i = 0; i < G_N_ELEMENTS(cuts); i++) {
		g_autoptr(GBytes) cut = g_bytes_new_from_bytes(sealed, 0, cuts[i]);
		assert_open_fails(fixture, cut, NHIP_PACKET_ERROR_MALFORMED);
	}
	/* trailing bytes are not ignored */
	{
		GByteArray *longer = g_byte_array_new();
		g_autoptr(GBytes) bytes = NULL;
		g_byte_array_append(longer, g_bytes_get_data(sealed, NULL),
				    (guint)g_bytes_get_size(sealed));
		g_byte_array_append(longer, (const guint8 *)"\0\0", 2);
		bytes = g_byte_array_free_to_bytes(longer);
		assert_open_fails(fixture, bytes, NHIP_PACKET_ERROR_MALFORMED);
	}
}

static void
test_too_large(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) huge =
		g_bytes_new_take(g_malloc0(NHIP_PACKET_MAX_SIZE + 1), NHIP_PACKET_MAX_SIZE + 1);
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GPtrArray) attachments =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_packet_attachment_free);
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) sealed = NULL;

	assert_open_fails(fixture, huge, NHIP_PACKET_ERROR_TOO_LARGE);
	g_ptr_array_add(attachments, nhip_packet_attachment_new("img/big.jpg", "image/jpeg", huge));
	sealed = nhip_packet_seal(manifest, body, attachments, fixture->station,
				  nhip_identity_get_certificate(fixture->hub_enc), &error);
	g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_TOO_LARGE);
	g_assert_null(sealed);
}

static void
test_wrong_recipient(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *other_dir = g_build_filename(fixture->tmp, "other-hub", NULL);
	g_autoptr(NhipIdentity) other_enc = NULL;
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(GBytes) forwarded = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;

	nhip_ca_init(other_dir, "Huyện Khác", NULL, &error);
	g_assert_no_error(error);
	other_enc = nhip_ca_load_identity(other_dir, NHIP_CA_ROLE_ENCRYPTION, &error);
	g_assert_no_error(error);

	/* sealed to another hub's key */
	sealed = nhip_packet_seal(manifest, body, NULL, fixture->station,
				  nhip_identity_get_certificate(other_enc), &error);
	g_assert_no_error(error);
	assert_open_fails(fixture, sealed, NHIP_PACKET_ERROR_WRONG_RECIPIENT);

	/* forwarded: signed for the other hub, then sealed again to ours by whoever opened
	 * it there */
	g_clear_pointer(&manifest, nhip_packet_manifest_free);
	manifest = case_manifest("ST-001", 2);
	manifest->recipient = nhip_x509_recipient_id(nhip_identity_get_certificate(other_enc));
	forwarded = seal_crafted(fixture, manifest, TRUE, fixture->station);
	assert_open_fails(fixture, forwarded, NHIP_PACKET_ERROR_WRONG_RECIPIENT);
	/* the other hub, for which it was signed, opens it only with its own trust store */
	contents = nhip_packet_open(sealed, other_enc, fixture->trust, &error);
	g_assert_no_error(error);
}

static void
test_revoked(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) sealed = seal_case(fixture, manifest);
	g_autoptr(NhipPacketContents) contents = NULL;
	gboolean revoked = TRUE;

	nhip_ca_is_revoked(fixture->hub_dir, nhip_identity_get_certificate(fixture->station),
			   &revoked, &error);
	g_assert_no_error(error);
	g_assert_false(revoked);
	nhip_ca_revoke(fixture->hub_dir, "ST-001", &error);
	g_assert_no_error(error);
	nhip_ca_is_revoked(fixture->hub_dir, nhip_identity_get_certificate(fixture->station),
			   &revoked, &error);
	g_assert_no_error(error);
	g_assert_true(revoked);
	/* the old store still has the old CRL */
	contents = nhip_packet_open(sealed, fixture->hub_enc, fixture->trust, &error);
	g_assert_no_error(error);
	X509_STORE_free(fixture->trust);
	fixture->trust = nhip_ca_trust_store(fixture->hub_dir, &error);
	g_assert_no_error(error);
	assert_open_fails(fixture, sealed, NHIP_PACKET_ERROR_REVOKED);

	/* a store without any CRL while CRL checking is on refuses as a setup problem */
	{
		g_autofree gchar *ca = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_CA_CERT);
		g_autoptr(X509) ca_cert = nhip_x509_load(ca, &error);
		g_autoptr(X509_STORE) no_crl = X509_STORE_new();
		g_autoptr(NhipIdentity) other = nhip_test_enroll_station(
			fixture->hub_dir, fixture->tmp, "ST-002", NULL, NULL, NULL);
		g_autoptr(NhipPacketManifest) m2 = case_manifest("ST-002", 1);
		g_autoptr(GBytes) body = body_json();
		g_autoptr(GBytes) s2 =
			nhip_packet_seal(m2, body, NULL, other,
					 nhip_identity_get_certificate(fixture->hub_enc), &error);
		g_autoptr(NhipPacketContents) c2 = NULL;

		g_assert_no_error(error);
		X509_STORE_add_cert(no_crl, ca_cert);
		X509_STORE_set_flags(no_crl, X509_V_FLAG_CRL_CHECK);
		c2 = nhip_packet_open(s2, fixture->hub_enc, no_crl, &error);
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_UNTRUSTED);
		g_assert_null(c2);
	}
}

static void
test_expired(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autoptr(GDateTime) from = g_date_time_add_days(now, -30);
	g_autoptr(GDateTime) to = g_date_time_add_days(now, -1);
	g_autoptr(GDateTime) later_from = g_date_time_add_days(now, 2);
	g_autoptr(GDateTime) later_to = g_date_time_add_days(now, 30);
	g_autoptr(NhipIdentity) expired =
		nhip_test_enroll_station(fixture->hub_dir, fixture->tmp, "ST-OLD", from, to, NULL);
	g_autoptr(NhipIdentity) future = nhip_test_enroll_station(
		fixture->hub_dir, fixture->tmp, "ST-NEW", later_from, later_to, NULL);
	NhipIdentity *identities[] = { expired, future };
	const gchar *codes[] = { "ST-OLD", "ST-NEW" };

	for (gsize i = 0; i < G_N_ELEMENTS(identities); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipPacketManifest) manifest = case_manifest(codes[i], 1);
		g_autoptr(GBytes) body = body_json();
		g_autoptr(GBytes) sealed =
			nhip_packet_seal(manifest, body, NULL, identities[i],
					 nhip_identity_get_certificate(fixture->hub_enc), &error);
		g_assert_no_error(error);
		assert_open_fails(fixture, sealed, NHIP_PACKET_ERROR_EXPIRED);
	}
}

static void
test_unknown_ca(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *rogue_dir = g_build_filename(fixture->tmp, "rogue", NULL);
	g_autoptr(NhipIdentity) rogue = NULL;
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) sealed = NULL;

	/* the same station code, certified by a CA this hub does not trust */
	nhip_ca_init(rogue_dir, "Rogue", NULL, &error);
	g_assert_no_error(error);
	rogue = nhip_test_enroll_station(rogue_dir, rogue_dir, "ST-001", NULL, NULL, NULL);
	sealed = nhip_packet_seal(manifest, body, NULL, rogue,
				  nhip_identity_get_certificate(fixture->hub_enc), &error);
	g_assert_no_error(error);
	assert_open_fails(fixture, sealed, NHIP_PACKET_ERROR_UNKNOWN_SIGNER);
}

/* the uncertain point of transport.md §1.2: an EKU list without emailProtection fails
 * the S/MIME signing purpose CMS verification uses, so station certificates carry it */
static void
test_purpose(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autoptr(GDateTime) from = g_date_time_add_hours(now, -1);
	g_autoptr(GDateTime) to = g_date_time_add_days(now, 30);
	g_autoptr(NhipIdentity) tls_only = nhip_test_enroll_station(
		fixture->hub_dir, fixture->tmp, "ST-TLS", from, to, "clientAuth");
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-TLS", 1);
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) sealed =
		nhip_packet_seal(manifest, body, NULL, tls_only,
				 nhip_identity_get_certificate(fixture->hub_enc), &error);

	g_assert_no_error(error);
	assert_open_fails(fixture, sealed, NHIP_PACKET_ERROR_UNTRUSTED);
}

static void
test_bad_hash(Fixture *fixture, gconstpointer data)
{
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) sealed = NULL;
	NhipPacketFile *file = g_new0(NhipPacketFile, 1);

	/* the manifest lists the hash of other bytes, signed by the real station */
	file->name = g_strdup("case.json");
	file->type = g_strdup("application/fhir+json");
	file->sha256 = nhipi_sha256_hex("{}", 2);
	file->size = g_bytes_get_size(body);
	g_ptr_array_add(manifest->files, file);
	sealed = seal_crafted(fixture, manifest, FALSE, fixture->station);
	assert_open_fails(fixture, sealed, NHIP_PACKET_ERROR_BAD_HASH);
}

static void
test_signer_mismatch(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-999", 1);
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) sealed = NULL;

	/* seal itself refuses to put another station's code in the manifest */
	sealed = nhip_packet_seal(manifest, body, NULL, fixture->station,
				  nhip_identity_get_certificate(fixture->hub_enc), &error);
	g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_INVALID);
	g_assert_null(sealed);
	/* a station that builds one anyway is caught on opening */
	sealed = seal_crafted(fixture, manifest, TRUE, fixture->station);
	assert_open_fails(fixture, sealed, NHIP_PACKET_ERROR_SIGNER_MISMATCH);
}

/* content changed after signing (and sealed again to the hub: anyone can encrypt to it) */
static void
test_bad_signature(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) tar = NULL;
	g_autoptr(BIO) in = NULL;
	g_autoptr(BIO) sd_bio = BIO_new(BIO_s_mem());
	g_autoptr(BIO) out = BIO_new(BIO_s_mem());
	g_autoptr(CMS_ContentInfo) sd = NULL;
	g_autoptr(CMS_ContentInfo) env = NULL;
	g_autoptr(NhipX509Stack) recipients = sk_X509_new_null();
	g_autoptr(GBytes) sealed = NULL;
	guchar *der = NULL;
	gint der_len;
	gchar *data_out = NULL;
	glong out_len;
	guint8 *hit = NULL;

	manifest->recipient =
		nhip_x509_recipient_id(nhip_identity_get_certificate(fixture->hub_enc));
	manifest->created = g_date_time_new_now_utc();
	tar = nhipi_packet_build_tar(manifest, body, NULL, TRUE, &error);
	g_assert_no_error(error);
	in = BIO_new_mem_buf(g_bytes_get_data(tar, NULL), (int)g_bytes_get_size(tar));
	sd = CMS_sign(nhip_identity_get_certificate(fixture->station),
		      nhip_identity_get_key(fixture->station), NULL, in, CMS_BINARY);
	g_assert_nonnull(sd);
	der_len = i2d_CMS_ContentInfo(sd, &der);
	g_assert_cmpint(der_len, >, 0);
	/* change one letter of the patient's name inside the signed content */
	hit = memmem(der, (gsize)der_len, "Mai", 3);
	g_assert_nonnull(hit);
	hit[0] = 'H';
	BIO_write(sd_bio, der, der_len);
	OPENSSL_free(der);
	X509_up_ref(nhip_identity_get_certificate(fixture->hub_enc));
	sk_X509_push(recipients, nhip_identity_get_certificate(fixture->hub_enc));
	env = CMS_encrypt(recipients, sd_bio, EVP_aes_256_gcm(), CMS_BINARY);
	g_assert_nonnull(env);
	g_assert_true(i2d_CMS_bio(out, env));
	out_len = BIO_get_mem_data(out, &data_out);
	sealed = g_bytes_new(data_out, (gsize)out_len);
	assert_open_fails(fixture, sealed, NHIP_PACKET_ERROR_BAD_SIGNATURE);
}

static void
test_seal_invalid(Fixture *fixture, gconstpointer data)
{
	const gchar *bad_names[] = { "../x",	"/etc/passwd",	 "a/b/c",     "img/",
				     ".hidden", "manifest.json", "case.json", "sp ace.jpg",
				     "",	"img/../x" };
	g_autoptr(GBytes) body = body_json();
	g_autoptr(GBytes) one = g_bytes_new_static("x", 1);

	for (gsize i = 0; i < G_N_ELEMENTS(bad_names); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
		g_autoptr(GPtrArray) attachments =
			g_ptr_array_new_with_free_func((GDestroyNotify)nhip_packet_attachment_free);
		g_autoptr(GBytes) sealed = NULL;
		g_ptr_array_add(attachments,
				nhip_packet_attachment_new(bad_names[i], "image/jpeg", one));
		sealed = nhip_packet_seal(manifest, body, attachments, fixture->station,
					  nhip_identity_get_certificate(fixture->hub_enc), &error);
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_INVALID);
		g_assert_null(sealed);
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 0);
		g_autoptr(GBytes) sealed =
			nhip_packet_seal(manifest, body, NULL, fixture->station,
					 nhip_identity_get_certificate(fixture->hub_enc), &error);
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_INVALID);
		g_assert_null(sealed);
	}
}

static void
test_replay(void)
{
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 42);
	NhipReplayVerdict verdict = NHIP_REPLAY_DUPLICATE;
	struct {
		NhipReplayState state;
		gboolean ok;
		NhipReplayVerdict verdict;
	} cases[] = {
		/* first packet ever */
		{ { 0, 0, NULL }, TRUE, NHIP_REPLAY_NEW },
		/* the next one, and one that arrives late within the window */
		{ { 41, 0, NULL }, TRUE, NHIP_REPLAY_NEW },
		{ { 5000, 0, NULL }, TRUE, NHIP_REPLAY_NEW },
		/* the same packet again: a retry after a lost receipt */
		{ { 42, 42, "x" }, TRUE, NHIP_REPLAY_DUPLICATE },
		/* its sequence used by another packet */
		{ { 50, 0, "0f8fad5b-d9cb-469f-a165-70867728950e" }, FALSE, 0 },
		/* the same id with another sequence */
		{ { 50, 17, NULL }, FALSE, 0 },
		/* far behind the highest seen */
		{ { 42 + NHIP_PACKET_REPLAY_WINDOW, 0, NULL }, FALSE, 0 },
		{ { 41 + NHIP_PACKET_REPLAY_WINDOW, 0, NULL }, TRUE, NHIP_REPLAY_NEW },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		gboolean ok = nhip_packet_replay_check(&cases[i].state, manifest, &verdict, &error);
		g_assert_cmpint(ok, ==, cases[i].ok);
		if (ok) {
			g_assert_no_error(error);
			g_assert_cmpint(verdict, ==, cases[i].verdict);
		} else {
			g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_REPLAYED);
		}
	}
}

static void
test_receipt(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketManifest) manifest = case_manifest("ST-001", 1);
	g_autoptr(GBytes) sealed = seal_case(fixture, manifest);
	g_autoptr(GBytes) receipt = NULL;
	g_autoptr(GDateTime) received = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	X509 *pinned = nhip_identity_get_certificate(fixture->hub_sign);
	const guint8 *content;
	gsize content_start;
	gsize content_end;
	gsize length;

	receipt = nhip_receipt_sign(manifest->packet_id, sealed, fixture->hub_sign, &error);
	g_assert_no_error(error);
	g_assert_true(nhip_receipt_verify_full(receipt, manifest->packet_id, sealed, pinned,
					       &received, &error));
	g_assert_no_error(error);
	g_assert_cmpint(ABS(g_date_time_difference(now, received)), <, 5 * G_TIME_SPAN_SECOND);

	/* for another packet id */
	{
		g_autofree gchar *other = nhip_packet_new_id();
		g_assert_false(nhip_receipt_verify(receipt, other, sealed, pinned, &error));
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_WRONG_PACKET);
		g_clear_error(&error);
	}
	/* for other bytes than those sent */
	{
		g_autoptr(GBytes) cut = g_bytes_new_from_bytes(sealed, 0, 100);
		g_assert_false(
			nhip_receipt_verify(receipt, manifest->packet_id, cut, pinned, &error));
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_BAD_HASH);
		g_clear_error(&error);
	}
	/* signed by someone else than the pinned hub */
	{
		g_autoptr(GBytes) forged =
			nhip_receipt_sign(manifest->packet_id, sealed, fixture->station, &error);
		g_assert_no_error(error);
		g_assert_false(
			nhip_receipt_verify(forged, manifest->packet_id, sealed, pinned, &error));
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_SIGNER_MISMATCH);
		g_clear_error(&error);
	}
	/* a flipped byte either fails or leaves what the receipt says as it was: CMS leaves a
	 * few bytes outside the signature (the version number, the case of letters in the
	 * issuer's name, the unsigned digest algorithm list), never in the content */
	length = g_bytes_get_size(receipt);
	content = memmem(g_bytes_get_data(receipt, NULL), length, "{\"v\":1", 6);
	g_assert_nonnull(content);
	content_start = (gsize)(content - (const guint8 *)g_bytes_get_data(receipt, NULL));
	content_end = content_start +
		      (gsize)(strchr((const gchar *)content, '}') - (const gchar *)content) + 1;
	for (gsize i = 0; i < length; i++) {
		guint8 *copy = g_memdup2(g_bytes_get_data(receipt, NULL), length);
		g_autoptr(GBytes) bad = NULL;
		g_autoptr(GDateTime) when = NULL;
		copy[i] ^= 0x20;
		bad = g_bytes_new_take(copy, length);
		if (nhip_receipt_verify_full(bad, manifest->packet_id, sealed, pinned, &when,
					     &error)) {
			g_assert_true(g_date_time_equal(when, received));
			/* never inside the signed content */
			g_assert_true(i < content_start || i >= content_end);
			continue;
		}
		g_assert_nonnull(error);
		g_assert_true(error->domain == NHIP_PACKET_ERROR);
		g_clear_error(&error);
	}
	g_assert_cmpuint(ERR_peek_error(), ==, 0);
}

static void
test_reply(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipPacketManifest) question = case_manifest("ST-001", 1);
	g_autoptr(NhipPacketManifest) manifest =
		nhip_packet_manifest_new(NHIP_PACKET_KIND_REPLY, "ST-001");
	g_autoptr(GBytes) answer = g_bytes_new_static("{\"advice\":\"Uống nhiều nước\"}", 32);
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autofree gchar *ca = nhip_ca_path(fixture->hub_dir, NHIP_CA_FILE_CA_CERT);
	g_autoptr(X509_STORE) station_trust = nhip_trust_store_new(ca, NULL, &error);
	X509 *pinned = nhip_identity_get_certificate(fixture->hub_sign);

	g_assert_no_error(error);
	manifest->sequence = 1;
	manifest->in_reply_to = g_strdup(question->packet_id);
	sealed = nhip_packet_seal(manifest, answer, NULL, fixture->hub_sign,
				  nhip_identity_get_certificate(fixture->station), &error);
	g_assert_no_error(error);
	contents = nhip_packet_open_reply(sealed, fixture->station, station_trust, pinned, &error);
	g_assert_no_error(error);
	g_assert_cmpint(contents->manifest->kind, ==, NHIP_PACKET_KIND_REPLY);
	g_assert_cmpstr(contents->manifest->in_reply_to, ==, question->packet_id);
	g_assert_true(g_bytes_equal(contents->body, answer));
	g_assert_nonnull(strstr(contents->signer_code, "hub signing"));

	/* the hub does not take a reply for a case, nor the station a case for a reply */
	{
		g_autoptr(GBytes) to_hub = NULL;
		g_autoptr(NhipPacketManifest) m =
			nhip_packet_manifest_new(NHIP_PACKET_KIND_REPLY, "ST-001");
		m->sequence = 2;
		to_hub = nhip_packet_seal(m, answer, NULL, fixture->station,
					  nhip_identity_get_certificate(fixture->hub_enc), &error);
		g_assert_no_error(error);
		assert_open_fails(fixture, to_hub, NHIP_PACKET_ERROR_MALFORMED);
	}
	/* a reply signed by another key of the same CA (a station) is not the pinned hub */
	{
		g_autoptr(NhipPacketContents) wrong = NULL;
		g_autoptr(GBytes) forged = NULL;
		g_autoptr(NhipPacketManifest) m =
			nhip_packet_manifest_new(NHIP_PACKET_KIND_REPLY, "ST-001");
		g_autoptr(NhipIdentity) other = nhip_test_enroll_station(
			fixture->hub_dir, fixture->tmp, "ST-002", NULL, NULL, NULL);
		m->sequence = 3;
		forged = nhip_packet_seal(m, answer, NULL, other,
					  nhip_identity_get_certificate(fixture->station), &error);
		g_assert_no_error(error);
		wrong = nhip_packet_open_reply(forged, fixture->station, station_trust, pinned,
					       &error);
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_SIGNER_MISMATCH);
		g_assert_null(wrong);
		g_clear_error(&error);
	}
	/* a reply addressed to another station, sealed to this one */
	{
		g_autoptr(NhipPacketContents) wrong = NULL;
		g_autoptr(GBytes) misaddressed = NULL;
		g_autoptr(NhipPacketManifest) m =
			nhip_packet_manifest_new(NHIP_PACKET_KIND_REPLY, "ST-002");
		m->sequence = 4;
		misaddressed =
			nhip_packet_seal(m, answer, NULL, fixture->hub_sign,
					 nhip_identity_get_certificate(fixture->station), &error);
		g_assert_no_error(error);
		wrong = nhip_packet_open_reply(misaddressed, fixture->station, station_trust,
					       pinned, &error);
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_WRONG_RECIPIENT);
		g_assert_null(wrong);
	}
}

/* inputs the fuzz targets found: an archive with no file, empty documents */
static void
test_empty_inputs(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) zeros = g_bytes_new_take(g_malloc0(1024), 1024);
	g_autoptr(GBytes) empty = g_bytes_new_static("", 0);
	g_autoptr(NhipPacketContents) contents = nhipi_packet_parse_payload(zeros, &error);
	g_autoptr(NhipPacketManifest) manifest = NULL;

	g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED);
	g_assert_null(contents);
	g_clear_error(&error);
	manifest = nhipi_manifest_parse(empty, &error);
	g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED);
	g_assert_null(manifest);
	g_clear_error(&error);
	/* json-glib reads "\337" as the byte 0xdf: not UTF-8, so not a manifest */
	{
		static const gchar text[] =
			"{\"v\":1,\"type\":\"case\",\"packet_id\":"
			"\"6501bc68-21ee-4b5f-aacc-cf4858425905\",\"station\":\"ST-1\",\"seq\":1,"
			"\"recipient\":\"urn:x\\337\",\"created\":\"2026-11-23T00:08:35Z\","
			"\"urgent\":false,\"in_reply_to\":null,\"files\":[{\"name\":\"case.json\","
			"\"type\":\"a\",\"sha256\":\""
			"31b35f755c55b8b32a9e7e9d7a8a98d0d11267ce140e499c1f014fd5e31ad325\","
			"\"size\":1}]}";
		g_autoptr(GBytes) bytes = g_bytes_new_static(text, sizeof(text) - 1);
		g_autoptr(NhipPacketManifest) bad = nhipi_manifest_parse(bytes, &error);
		g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_MALFORMED);
		g_assert_null(bad);
	}
}

static void
test_reasons(void)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (gint code = NHIP_PACKET_ERROR_MALFORMED; code <= NHIP_PACKET_ERROR_FAILED; code++) {
		const gchar *reason = nhip_packet_error_to_reason((NhipPacketError)code);
		g_assert_false(g_hash_table_contains(seen, reason));
		g_hash_table_add(seen, (gpointer)reason);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

#define ADD(path, func)                                                  \
	g_test_add(path, Fixture, NULL, nhip_packet_fixture_setup, func, \
		   nhip_packet_fixture_teardown)
	ADD("/packet/round-trip", test_round_trip);
	ADD("/packet/openssl-cli/opens-ours", test_openssl_cli_opens);
	ADD("/packet/openssl-cli/made-by-cli", test_openssl_cli_made);
	ADD("/packet/refused/tampered", test_tampered);
	ADD("/packet/refused/truncated", test_truncated);
	ADD("/packet/refused/too-large", test_too_large);
	ADD("/packet/refused/wrong-recipient", test_wrong_recipient);
	ADD("/packet/refused/revoked", test_revoked);
	ADD("/packet/refused/expired", test_expired);
	ADD("/packet/refused/unknown-ca", test_unknown_ca);
	ADD("/packet/refused/purpose", test_purpose);
	ADD("/packet/refused/bad-hash", test_bad_hash);
	ADD("/packet/refused/signer-mismatch", test_signer_mismatch);
	ADD("/packet/refused/bad-signature", test_bad_signature);
	ADD("/packet/seal-invalid", test_seal_invalid);
	ADD("/packet/receipt", test_receipt);
	ADD("/packet/reply", test_reply);
#undef ADD
	g_test_add_func("/packet/replay", test_replay);
	g_test_add_func("/packet/reasons", test_reasons);
	g_test_add_func("/packet/empty-inputs", test_empty_inputs);
	return g_test_run();
}
