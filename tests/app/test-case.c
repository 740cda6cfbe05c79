/*
 * Nhịp — the station's half of "ask the district": photos re-encoded, the case built
 * from a real store, the identity folder, and enrollment and sealing through the
 * nhip-hub and nhipctl programs, opened by the hub's packet code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "nhip-ca.h"
#include "nhip-case.h"
#include "nhip-photo.h"
#include "nhip-station-identity.h"
#include "nhip-store-packets.h"
#include "nhip-test-utils.h"

#define STATION "TYT-66181"

/* ----- generated images ----- */

static GdkPixbuf *
make_pixbuf(gint width, gint height, gboolean alpha)
{
	GdkPixbuf *pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, alpha, 8, width, height);
	guint8 *pixels = gdk_pixbuf_get_pixels(pixbuf);
	gint stride = gdk_pixbuf_get_rowstride(pixbuf);
	gint channels = gdk_pixbuf_get_n_channels(pixbuf);

	/* a gradient, brighter on the left half: orientation shows in the result */
	for (gint y = 0; y < height; y++) {
		for (gint x = 0; x < width; x++) {
			guint8 *p = pixels + (gsize)y * stride + (gsize)x * channels;
			p[0] = (guint8)(x < width / 2 ? 230 : 20);
			p[1] = (guint8)(y * 255 / height);
			p[2] = (guint8)(x * 255 / width);
			if (alpha)
				p[3] = (guint8)(y < height / 2 ? 0 : 255);
		}
	}
	return pixbuf;
}

static GBytes *
encode(GdkPixbuf *pixbuf, const gchar *type)
{
	g_autoptr(GError) error = NULL;
	gchar *data = NULL;
	gsize length = 0;

	gdk_pixbuf_save_to_buffer(pixbuf, &data, &length, type, &error, NULL);
	g_assert_no_error(error);
	return g_bytes_new_take(data, length);
}

static void
put16be(GByteArray *out, guint value)
{
	guint8 b[2] = { (guint8)(value >> 8), (guint8)value };
	g_byte_array_append(out, b, 2);
}

/* a JPEG with an EXIF APP1 segment after SOI: orientation 6 (rotate 90° clockwise to
 * show) and an image description that stands for private metadata */
static GBytes *
jpeg_with_exif(GBytes *jpeg, const gchar *secret)
{
	static const guint8 tiff_head[] = { 'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0 };
	GByteArray *tiff = g_byte_array_new();
	GByteArray *out = g_byte_array_new();
	guint secret_len = (guint)strlen(secret) + 1;
	guint secret_offset = 10 + 2 * 12 + 4;
	const guint8 *data = g_bytes_get_data(jpeg, NULL);
	guint8 entry[12] = { 0 };

	g_byte_array_append(tiff, tiff_head, sizeof(tiff_head));
	/* 0x010e ImageDescription, ASCII */
	entry[0] = 0x0e, entry[1] = 0x01, entry[2] = 2, entry[4] = (guint8)secret_len;
	entry[8] = (guint8)secret_offset;
	g_byte_array_append(tiff, entry, 12);
	/* 0x0112 Orientation, SHORT, 6 */
	memset(entry, 0, sizeof(entry));
	entry[0] = 0x12, entry[1] = 0x01, entry[2] = 3, entry[4] = 1, entry[8] = 6;
	g_byte_array_append(tiff, entry, 12);
	g_byte_array_append(tiff, (const guint8 *)"\0\0\0\0", 4);
	g_byte_array_append(tiff, (const guint8 *)secret, secret_len);

	g_byte_array_append(out, data, 2); /* SOI */
	g_byte_array_append(out, (const guint8 *)"\xff\xe1", 2);
	put16be(out, 2 + 6 + tiff->len);
	g_byte_array_append(out, (const guint8 *)"Exif\0\0", 6);
	g_byte_array_append(out, tiff->data, tiff->len);
	g_byte_array_append(out, data + 2, (guint)g_bytes_get_size(jpeg) - 2);
	g_byte_array_unref(tiff);
	return g_byte_array_free_to_bytes(out);
}

static guint32
crc32_png(const guint8 *data, gsize length)
{
	guint32 crc = 0xffffffffu;

	for (gsize i = 0; i < length; i++) {
		crc ^= data[i];
		for (gint k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xffffffffu;
}

/* a PNG whose header claims @width × @height and holds no pixels */
static GBytes *
png_claiming(guint32 width, guint32 height)
{
	guint8 ihdr[17] = { 'I', 'H', 'D', 'R' };
	GByteArray *out = g_byte_array_new();
	guint32 crc;
	guint8 be[4];

	for (gint i = 0; i < 4; i++) {
		ihdr[4 + i] = (guint8)(width >> (24 - 8 * i));
		ihdr[8 + i] = (guint8)(height >> (24 - 8 * i));
	}
	ihdr[12] = 8; /* depth */
	ihdr[13] = 2; /* RGB */
	g_byte_array_append(out, (const guint8 *)"\x89PNG\r\n\x1a\n", 8);
	g_byte_array_append(out, (const guint8 *)"\0\0\0\x0d", 4);
	g_byte_array_append(out, ihdr, sizeof(ihdr));
	crc = crc32_png(ihdr, sizeof(ihdr));
	for (gint i = 0; i < 4; i++)
		be[i] = (guint8)(crc >> (24 - 8 * i));
	g_byte_array_append(out, be, 4);
	/* an IDAT with a little data and the end: the header is read before the pixels */
	g_byte_array_append(out, (const guint8 *)"\0\0\0\x04IDAT\x78\x9c\x01\x00\0\0\0\0", 16);
	g_byte_array_append(out, (const guint8 *)"\0\0\0\0IEND\xae\x42\x60\x82", 12);
	return g_byte_array_free_to_bytes(out);
}

/* @jpeg with its frame header claiming @width × @height */
static GBytes *
jpeg_claiming(GBytes *jpeg, guint width, guint height)
{
	gsize length = g_bytes_get_size(jpeg);
	guint8 *data = g_memdup2(g_bytes_get_data(jpeg, NULL), length);

	for (gsize i = 2; i + 9 < length; i++) {
		if (data[i] == 0xff && data[i + 1] == 0xc0) {
			data[i + 5] = (guint8)(height >> 8);
			data[i + 6] = (guint8)height;
			data[i + 7] = (guint8)(width >> 8);
			data[i + 8] = (guint8)width;
			break;
		}
	}
	return g_bytes_new_take(data, length);
}

static GdkPixbuf *
decode(GBytes *jpeg)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes(jpeg);
	GdkPixbuf *pixbuf = gdk_pixbuf_new_from_stream(stream, NULL, &error);

	g_assert_no_error(error);
	return pixbuf;
}

static gboolean
contains(GBytes *bytes, const gchar *needle)
{
	return memmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), needle,
		      strlen(needle)) != NULL;
}

static void
test_photo_scale(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) big = make_pixbuf(4000, 3000, FALSE);
	g_autoptr(GBytes) input = encode(big, "jpeg");
	g_autoptr(GBytes) output = nhip_photo_reencode(input, 1600, 80, &error);
	g_autoptr(GdkPixbuf) result = NULL;

	g_assert_no_error(error);
	g_assert_cmpuint(((const guint8 *)g_bytes_get_data(output, NULL))[0], ==, 0xff);
	result = decode(output);
	g_assert_cmpint(gdk_pixbuf_get_width(result), ==, 1600);
	g_assert_cmpint(gdk_pixbuf_get_height(result), ==, 1200);
	g_assert_cmpuint(g_bytes_get_size(output), <, g_bytes_get_size(input));
	g_test_message("4000×3000 JPEG of %zu bytes → 1600×1200, %zu bytes",
		       g_bytes_get_size(input), g_bytes_get_size(output));
}

static void
test_photo_exif(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) wide = make_pixbuf(400, 200, FALSE);
	g_autoptr(GBytes) plain = encode(wide, "jpeg");
	g_autoptr(GBytes) input = jpeg_with_exif(plain, "GPS 22.83N 104.98E Nguyen Van An");
	g_autoptr(GBytes) output = NULL;
	g_autoptr(GdkPixbuf) check = decode(input);
	g_autoptr(GdkPixbuf) result = NULL;
	const guint8 *pixels;

	/* gdk-pixbuf itself reads the orientation we wrote */
	g_assert_cmpstr(gdk_pixbuf_get_option(check, "orientation"), ==, "6");
	output = nhip_photo_reencode(input, 1600, 80, &error);
	g_assert_no_error(error);
	g_assert_false(contains(output, "Exif"));
	g_assert_false(contains(output, "Nguyen"));
	result = decode(output);
	/* turned upright: 90° clockwise makes it tall, the bright half on top */
	g_assert_cmpint(gdk_pixbuf_get_width(result), ==, 200);
	g_assert_cmpint(gdk_pixbuf_get_height(result), ==, 400);
	g_assert_null(gdk_pixbuf_get_option(result, "orientation"));
	pixels = gdk_pixbuf_get_pixels(result);
	g_assert_cmpuint(pixels[(gsize)50 * gdk_pixbuf_get_rowstride(result) + 100 * 3], >, 150);
	g_assert_cmpuint(pixels[(gsize)350 * gdk_pixbuf_get_rowstride(result) + 100 * 3], <, 100);
}

static void
test_photo_png(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) small = make_pixbuf(500, 300, TRUE);
	g_autoptr(GBytes) input = encode(small, "png");
	g_autoptr(GBytes) output = nhip_photo_reencode(input, 1600, 80, &error);
	g_autoptr(GdkPixbuf) result = NULL;
	const guint8 *pixels;

	g_assert_no_error(error);
	result = decode(output);
	/* never enlarged; transparency on white */
	g_assert_cmpint(gdk_pixbuf_get_width(result), ==, 500);
	g_assert_cmpint(gdk_pixbuf_get_height(result), ==, 300);
	g_assert_false(gdk_pixbuf_get_has_alpha(result));
	pixels = gdk_pixbuf_get_pixels(result);
	g_assert_cmpuint(pixels[(gsize)10 * gdk_pixbuf_get_rowstride(result) + 300 * 3 + 1], >,
			 240);
	/* a large PNG (no scaling while decoding) is scaled after */
	{
		g_autoptr(GdkPixbuf) tall = make_pixbuf(900, 2400, FALSE);
		g_autoptr(GBytes) in2 = encode(tall, "png");
		g_autoptr(GBytes) out2 = nhip_photo_reencode(in2, 1600, 80, &error);
		g_autoptr(GdkPixbuf) r2 = NULL;
		g_assert_no_error(error);
		r2 = decode(out2);
		g_assert_cmpint(gdk_pixbuf_get_height(r2), ==, 1600);
		g_assert_cmpint(gdk_pixbuf_get_width(r2), ==, 600);
	}
}

static void
test_photo_refused(void)
{
	g_autoptr(GdkPixbuf) small = make_pixbuf(64, 64, FALSE);
	g_autoptr(GBytes) jpeg = encode(small, "jpeg");
	g_autoptr(GBytes) bmp = encode(small, "bmp");
	g_autoptr(GBytes) text = g_bytes_new_static("hello", 5);
	g_autoptr(GBytes) bomb = png_claiming(60000, 60000);
	g_autoptr(GBytes) cut = g_bytes_new_from_bytes(jpeg, 0, 40);
	g_autoptr(GBytes) jpeg_bomb = jpeg_claiming(jpeg, 60000, 60000);
	GBytes *inputs[] = { bmp, text, cut };
	GBytes *bombs[] = { bomb, jpeg_bomb };

	for (gsize i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) out = nhip_photo_reencode(inputs[i], 1600, 80, &error);
		g_assert_null(out);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
		g_test_message("refused: %s", error->message);
	}
	/* decompression bombs are refused from their header, before any pixel is allocated */
	for (gsize i = 0; i < G_N_ELEMENTS(bombs); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) out = nhip_photo_reencode(bombs[i], 1600, 80, &error);
		g_assert_null(out);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "100"));
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) out = nhip_photo_reencode_file("/nonexistent.jpg", &error);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
		g_assert_null(out);
	}
}

/* ----- a store with a visit, a CA, an enrolled station ----- */

typedef struct {
	gchar *tmp;
	gchar *db;
	gchar *hub_dir;
	gchar *identity_dir;
	gchar *photo;
	gint64 visit_id;
	NhipStore *store;
} Fixture;

static void
write_bytes(const gchar *path, GBytes *bytes)
{
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, g_bytes_get_data(bytes, NULL), (gssize)g_bytes_get_size(bytes),
			    &error);
	g_assert_no_error(error);
}

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipFacility) facility = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");
	g_autoptr(NhipPatient) patient = nhip_patient_new();
	g_autoptr(GPtrArray) obs =
		g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	g_autoptr(GdkPixbuf) pixbuf = make_pixbuf(2000, 1500, FALSE);
	g_autoptr(GBytes) jpeg = encode(pixbuf, "jpeg");
	g_autofree gchar *attached = NULL;
	g_autofree gchar *notes_file = NULL;
	g_autofree gchar *sha = NULL;
	const gchar *icd[] = { "A90", "R50.9", NULL };
	NhipObservation *o;
	gint64 patient_id;

	fixture->tmp = nhip_test_tmpdir();
	fixture->db = g_build_filename(fixture->tmp, "station.db", NULL);
	fixture->hub_dir = g_build_filename(fixture->tmp, "district", NULL);
	fixture->identity_dir = nhip_station_identity_dir(fixture->db, &error);
	g_assert_no_error(error);
	fixture->photo = g_build_filename(fixture->tmp, "rash.jpg", NULL);
	write_bytes(fixture->photo, jpeg);

	fixture->store = nhip_store_open(fixture->db, &error);
	g_assert_no_error(error);
	g_assert_true(nhip_store_facility_set(fixture->store, facility, &error));
	patient->full_name = g_strdup("Lò Thị Mai");
	patient->birth = g_strdup("1990-05-02");
	patient->sex = NHIP_SEX_FEMALE;
	patient->cccd = g_strdup("011190001234");
	patient_id = nhip_store_patient_add(fixture->store, patient, &error);
	g_assert_no_error(error);
	fixture->visit_id =
		nhip_store_visit_open(fixture->store, patient_id, "Sốt, phát ban", &error);
	g_assert_no_error(error);
	o = nhip_observation_new(NHIP_VITAL_BLOOD_PRESSURE, 95, 60);
	o->measured_at = g_get_real_time() / G_USEC_PER_SEC;
	g_ptr_array_add(obs, o);
	o = nhip_observation_new(NHIP_VITAL_TEMPERATURE, 39.4, NAN);
	o->measured_at = g_get_real_time() / G_USEC_PER_SEC;
	g_ptr_array_add(obs, o);
	g_assert_true(nhip_store_observations_add(fixture->store, fixture->visit_id, obs, &error));
	g_assert_no_error(error);
	/* one photo and one document attached to the visit: only the photo travels */
	attached = g_build_filename(fixture->tmp, "attached.png", NULL);
	{
		g_autoptr(GdkPixbuf) p2 = make_pixbuf(300, 200, FALSE);
		g_autoptr(GBytes) png = encode(p2, "png");
		write_bytes(attached, png);
	}
	sha = nhip_store_attachment_add(fixture->store, fixture->visit_id, attached, "image/png",
					&error);
	g_assert_no_error(error);
	notes_file = g_build_filename(fixture->tmp, "note.txt", NULL);
	g_assert_true(g_file_set_contents(notes_file, "giấy chuyển tuyến", -1, NULL));
	g_free(sha);
	sha = nhip_store_attachment_add(fixture->store, fixture->visit_id, notes_file, "text/plain",
					&error);
	g_assert_no_error(error);
	g_assert_true(nhip_store_visit_close(fixture->store, fixture->visit_id, icd,
					     "Nghi sốt xuất huyết", &error));
	g_assert_no_error(error);
	nhip_ca_init(fixture->hub_dir, "Huyện Thử", NULL, &error);
	g_assert_no_error(error);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_clear_object(&fixture->store);
	nhip_test_rmrf(fixture->tmp);
	g_free(fixture->tmp);
	g_free(fixture->db);
	g_free(fixture->hub_dir);
	g_free(fixture->identity_dir);
	g_free(fixture->photo);
}

/* enrolls the fixture's station through the library; returns the token used */
static gchar *
enroll(Fixture *fixture)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *token = nhip_ca_token_issue(fixture->hub_dir, STATION, NULL, &error);
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) answer = NULL;

	g_assert_no_error(error);
	csr = nhip_station_identity_init(fixture->identity_dir, NULL, &error);
	g_assert_no_error(error);
	answer = nhip_ca_enroll(fixture->hub_dir, token, csr, &error);
	g_assert_no_error(error);
	g_assert_true(nhip_station_identity_install(fixture->identity_dir, answer, token, &error));
	g_assert_no_error(error);
	return g_steal_pointer(&token);
}

static guint
count_resources(JsonArray *entries, const gchar *type)
{
	guint n = 0;

	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *resource = json_object_get_object_member(
			json_array_get_object_element(entries, i), "resource");
		if (g_strcmp0(json_object_get_string_member(resource, "resourceType"), type) == 0)
			n++;
	}
	return n;
}

static JsonObject *
find_resource(JsonArray *entries, const gchar *type)
{
	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *resource = json_object_get_object_member(
			json_array_get_object_element(entries, i), "resource");
		if (g_strcmp0(json_object_get_string_member(resource, "resourceType"), type) == 0)
			return resource;
	}
	g_assert_not_reached();
}

static void
test_case_build(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const gchar *photos[] = { fixture->photo, NULL };
	g_autoptr(NhipCase) kase = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(NhipIdentity) station = NULL;
	g_autoptr(NhipIdentity) hub_enc = NULL;
	g_autoptr(X509_STORE) trust = NULL;
	g_autoptr(X509) hub_enc_cert = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;
	g_autofree gchar *token = NULL;
	JsonArray *entries;
	JsonObject *communication;
	JsonObject *observation;
	JsonObject *media;
	JsonArray *payload;

	token = enroll(fixture);
	g_assert_nonnull(token);
	kase = nhip_case_build(fixture->store, fixture->visit_id, STATION,
			       "Sốt cao 3 ngày, nghi sốt xuất huyết. Có cần chuyển tuyến không?",
			       TRUE, photos, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(kase->attachments->len, ==, 2);
	/* the kiosk chooses which of the visit's photos go: none of them here */
	{
		const gchar *none_chosen[] = { NULL };
		g_autoptr(NhipCase) fewer =
			nhip_case_build(fixture->store, fixture->visit_id, STATION, "?", FALSE,
					photos, none_chosen, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(fewer->attachments->len, ==, 1);
	}
	g_assert_cmpstr(((NhipPacketAttachment *)kase->attachments->pdata[0])->name, ==,
			"img/1.jpg");
	g_assert_cmpstr(((NhipPacketAttachment *)kase->attachments->pdata[1])->name, ==,
			"img/2.jpg");
	g_assert_true(kase->manifest->urgent);
	g_assert_cmpint(kase->manifest->sequence, ==, 0);

	g_assert_true(json_parser_load_from_data(parser, g_bytes_get_data(kase->case_json, NULL),
						 (gssize)g_bytes_get_size(kase->case_json),
						 &error));
	entries = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
					       "entry");
	g_assert_cmpuint(count_resources(entries, "Patient"), ==, 1);
	g_assert_cmpuint(count_resources(entries, "Encounter"), ==, 1);
	g_assert_cmpuint(count_resources(entries, "Observation"), ==, 2);
	g_assert_cmpuint(count_resources(entries, "Condition"), ==, 2);
	g_assert_cmpuint(count_resources(entries, "Media"), ==, 2);
	g_assert_cmpuint(count_resources(entries, "Communication"), ==, 1);
	communication = find_resource(entries, "Communication");
	g_assert_cmpstr(json_object_get_string_member(communication, "priority"), ==, "urgent");
	payload = json_object_get_array_member(communication, "payload");
	/* the question, then a reference to each photo's Media */
	g_assert_cmpuint(json_array_get_length(payload), ==, 3);
	g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(payload, 0),
						      "contentString"),
			==, "Sốt cao 3 ngày, nghi sốt xuất huyết. Có cần chuyển tuyến không?");
	g_assert_cmpstr(json_object_get_string_member(
				json_array_get_object_element(
					json_object_get_array_member(communication, "note"), 0),
				"text"),
			==, "Nghi sốt xuất huyết");
	media = find_resource(entries, "Media");
	g_assert_cmpstr(json_object_get_string_member(
				json_object_get_object_member(media, "content"), "url"),
			==, "img/1.jpg");
	observation = find_resource(entries, "Observation");
	g_assert_nonnull(json_object_get_array_member(observation, "component"));
	g_assert_false(contains(kase->case_json, "null"));
	/* case.json is a valid FHIR R4 Bundle: HL7's schema, the vital-signs profiles, and
	 * every reference (the Communication's to the Media) resolved inside the Bundle */
	{
		g_autofree gchar *text = g_strndup(g_bytes_get_data(kase->case_json, NULL),
						   g_bytes_get_size(kase->case_json));
		nhip_test_fhir_check(fixture->tmp, text, TRUE, NULL);
	}

	station = nhip_station_identity_load(fixture->identity_dir, &error);
	g_assert_no_error(error);
	hub_enc_cert = nhip_station_identity_load_cert(fixture->identity_dir,
						       NHIP_STATION_FILE_HUB_ENC, &error);
	g_assert_no_error(error);
	sealed = nhip_case_seal(kase, 1, station, hub_enc_cert, &error);
	g_assert_no_error(error);
	g_test_message("case with two photos: %zu bytes sealed", g_bytes_get_size(sealed));
	g_assert_cmpuint(g_bytes_get_size(sealed), <, 2 * 1024 * 1024);

	hub_enc = nhip_ca_load_identity(fixture->hub_dir, NHIP_CA_ROLE_ENCRYPTION, &error);
	g_assert_no_error(error);
	trust = nhip_ca_trust_store(fixture->hub_dir, &error);
	g_assert_no_error(error);
	contents = nhip_packet_open(sealed, hub_enc, trust, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(contents->signer_code, ==, STATION);
	g_assert_true(g_bytes_equal(contents->body, kase->case_json));
	g_assert_cmpuint(contents->attachments->len, ==, 2);

	/* bad requests */
	{
		g_autoptr(NhipCase) none = nhip_case_build(fixture->store, fixture->visit_id,
							   STATION, "", FALSE, NULL, NULL, &error);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
		g_assert_null(none);
		g_clear_error(&error);
	}
	{
		g_autoptr(NhipCase) none = nhip_case_build(fixture->store, 9999, STATION, "?",
							   FALSE, NULL, NULL, &error);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
		g_assert_null(none);
		g_clear_error(&error);
	}
	{
		const gchar *bad[] = { fixture->db, NULL };
		g_autoptr(NhipCase) none = nhip_case_build(fixture->store, fixture->visit_id,
							   STATION, "?", FALSE, bad, NULL, &error);
		g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_INVALID);
		g_assert_null(none);
	}
}

static void
test_identity_folder(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *token = nhip_ca_token_issue(fixture->hub_dir, STATION, NULL, &error);
	g_autofree gchar *key =
		nhip_station_identity_path(fixture->identity_dir, NHIP_STATION_FILE_KEY);
	g_autofree gchar *pin = NULL;
	g_autoptr(GBytes) csr = NULL;
	g_autoptr(GBytes) csr2 = NULL;
	g_autoptr(GBytes) answer = NULL;
	g_autoptr(GBytes) key_before = NULL;
	g_autoptr(NhipIdentity) identity = NULL;
	g_autoptr(X509) sign = NULL;
	GStatBuf st = { 0 };

	g_assert_no_error(error);
	identity = nhip_station_identity_load(fixture->identity_dir, &error);
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_NOT_FOUND);
	g_clear_error(&error);
	csr = nhip_station_identity_init(fixture->identity_dir, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(fixture->identity_dir, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0700);
	g_assert_cmpint(g_stat(key, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	/* init again keeps the key */
	{
		gchar *d = NULL;
		gsize l = 0;
		g_assert_true(g_file_get_contents(key, &d, &l, NULL));
		key_before = g_bytes_new_take(d, l);
	}
	csr2 = nhip_station_identity_init(fixture->identity_dir, STATION, &error);
	g_assert_no_error(error);
	{
		gchar *d = NULL;
		gsize l = 0;
		g_autoptr(GBytes) key_after = NULL;
		g_assert_true(g_file_get_contents(key, &d, &l, NULL));
		key_after = g_bytes_new_take(d, l);
		g_assert_true(g_bytes_equal(key_before, key_after));
	}
	answer = nhip_ca_enroll(fixture->hub_dir, token, csr, &error);
	g_assert_no_error(error);
	/* the wrong token: the answer's MAC does not check */
	g_assert_false(nhip_station_identity_install(fixture->identity_dir, answer,
						     "aaaaaaaa-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
						     &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_UNTRUSTED);
	g_clear_error(&error);
	/* a key readable by others is refused before anything is installed */
	g_assert_cmpint(g_chmod(key, 0640), ==, 0);
	g_assert_false(nhip_station_identity_install(fixture->identity_dir, answer, token, &error));
	g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_PERMISSIONS);
	g_clear_error(&error);
	g_assert_cmpint(g_chmod(key, 0600), ==, 0);
	g_assert_true(nhip_station_identity_install(fixture->identity_dir, answer, token, &error));
	g_assert_no_error(error);
	identity = nhip_station_identity_load(fixture->identity_dir, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(nhip_identity_get_name(identity), ==, STATION);
	sign = nhip_station_identity_load_cert(fixture->identity_dir, NHIP_STATION_FILE_HUB_SIGN,
					       &error);
	g_assert_no_error(error);
	pin = nhip_station_identity_get_pin(fixture->identity_dir, "signing", &error);
	g_assert_no_error(error);
	{
		g_autofree gchar *expected = nhip_x509_spki_pin(sign);
		g_assert_cmpstr(pin, ==, expected);
	}
	g_clear_object(&identity);

	/* an answer for another key (another box) does not install over this one */
	{
		g_autofree gchar *other_dir = g_build_filename(fixture->tmp, "other", NULL);
		g_autofree gchar *t2 = nhip_ca_token_issue(fixture->hub_dir, STATION, NULL, &error);
		g_autoptr(GBytes) c2 = nhip_station_identity_init(other_dir, NULL, &error);
		g_autoptr(GBytes) a2 = nhip_ca_enroll(fixture->hub_dir, t2, c2, &error);
		g_assert_no_error(error);
		g_assert_false(
			nhip_station_identity_install(fixture->identity_dir, a2, t2, &error));
		g_assert_error(error, NHIP_IDENTITY_ERROR, NHIP_IDENTITY_ERROR_INVALID);
	}
}

static GBytes *
read_bytes(const gchar *path)
{
	gchar *data = NULL;
	gsize len = 0;

	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	return g_bytes_new_take(data, len);
}

static void
assert_mode(const gchar *path, guint mode)
{
	GStatBuf st = { 0 };

	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, mode);
}

/* a folder like the one an older `nhipctl enroll` made beside the database */
static GBytes *
make_legacy_folder(const gchar *legacy, gboolean with_link)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) csr = nhip_station_identity_init(legacy, STATION, &error);
	g_autofree gchar *key = g_build_filename(legacy, "station.key", NULL);
	g_autofree gchar *ini = g_build_filename(legacy, "hub.ini", NULL);

	g_assert_no_error(error);
	g_assert_nonnull(csr);
	if (with_link)
		g_assert_true(
			g_file_set_contents(ini, "[hub]\nurl=https://hub.example\n", -1, NULL));
	return read_bytes(key);
}

static GPtrArray *
list_aside(const gchar *tmp, const gchar *prefix)
{
	g_autoptr(GDir) dir = g_dir_open(tmp, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;

	while ((name = g_dir_read_name(dir)) != NULL) {
		if (g_str_has_prefix(name, prefix))
			g_ptr_array_add(names, g_build_filename(tmp, name, NULL));
	}
	return names;
}

/* one identity folder: an older `hub/` is moved to `identity/` on first use */
static void
test_identity_migrate(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *legacy = g_build_filename(fixture->tmp, "hub", NULL);
	g_autofree gchar *key = g_build_filename(fixture->identity_dir, "station.key", NULL);
	g_autofree gchar *ini = g_build_filename(fixture->identity_dir, "hub.ini", NULL);
	g_autoptr(GBytes) legacy_key = NULL;
	g_autoptr(GBytes) identity_key = NULL;
	g_autoptr(GPtrArray) aside = NULL;
	gchar *dir;

	/* nothing to move: the folder is named, not made */
	dir = nhip_station_identity_dir(fixture->db, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(dir, ==, fixture->identity_dir);
	g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
	g_free(dir);

	/* only the old folder: renamed, every file keeps its mode */
	legacy_key = make_legacy_folder(legacy, TRUE);
	g_assert_cmpint(g_chmod(legacy, 0750), ==, 0);
	dir = nhip_station_identity_dir(fixture->db, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(dir, ==, fixture->identity_dir);
	g_free(dir);
	g_assert_false(g_file_test(legacy, G_FILE_TEST_EXISTS));
	assert_mode(fixture->identity_dir, 0700);
	assert_mode(key, 0600);
	g_assert_true(g_file_test(ini, G_FILE_TEST_EXISTS));
	identity_key = read_bytes(key);
	g_assert_true(g_bytes_equal(legacy_key, identity_key));
	/* asked again: nothing moves */
	dir = nhip_station_identity_dir(fixture->db, &error);
	g_assert_no_error(error);
	g_free(dir);
	g_bytes_unref(identity_key);
	identity_key = read_bytes(key);
	g_assert_true(g_bytes_equal(legacy_key, identity_key));

	/* both, the old one with the hub link the sender used: it wins, the other is kept */
	g_clear_pointer(&legacy_key, g_bytes_unref);
	g_clear_pointer(&identity_key, g_bytes_unref);
	identity_key = read_bytes(key);
	legacy_key = make_legacy_folder(legacy, TRUE);
	g_assert_false(g_bytes_equal(legacy_key, identity_key));
	dir = nhip_station_identity_dir(fixture->db, &error);
	g_assert_no_error(error);
	g_free(dir);
	g_assert_false(g_file_test(legacy, G_FILE_TEST_EXISTS));
	{
		g_autoptr(GBytes) now = read_bytes(key);
		g_autofree gchar *kept_key = NULL;
		g_autoptr(GBytes) kept = NULL;
		aside = list_aside(fixture->tmp, "identity.replaced-");
		g_assert_cmpuint(aside->len, ==, 1);
		kept_key = g_build_filename(g_ptr_array_index(aside, 0), "station.key", NULL);
		kept = read_bytes(kept_key);
		g_assert_true(g_bytes_equal(now, legacy_key));
		g_assert_true(g_bytes_equal(kept, identity_key));
		assert_mode(kept_key, 0600);
	}
	assert_mode(fixture->identity_dir, 0700);
	assert_mode(key, 0600);

	/* both, the old one without a hub link (an enrollment that never finished): the
	 * identity folder stays, the old one is kept aside */
	g_clear_pointer(&legacy_key, g_bytes_unref);
	g_clear_pointer(&identity_key, g_bytes_unref);
	identity_key = read_bytes(key);
	legacy_key = make_legacy_folder(legacy, FALSE);
	dir = nhip_station_identity_dir(fixture->db, &error);
	g_assert_no_error(error);
	g_free(dir);
	g_assert_false(g_file_test(legacy, G_FILE_TEST_EXISTS));
	g_clear_pointer(&aside, g_ptr_array_unref);
	aside = list_aside(fixture->tmp, "hub.replaced-");
	g_assert_cmpuint(aside->len, ==, 1);
	{
		g_autoptr(GBytes) now = read_bytes(key);
		g_assert_true(g_bytes_equal(now, identity_key));
	}
}

/* the doctor's answer on the visit: listed with it, unread until a staff member reads it */
static void
test_reply_read(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *packet = g_build_filename(fixture->tmp, "p.cms", NULL);
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	g_autofree gchar *read = NULL;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GPtrArray) recent = NULL;
	const gchar *packet_id = "0b7c2e1a-4f0e-4a8e-9d1e-2f6b3c4d5e6f";
	NhipReply reply = { 0 };
	gint64 nurse;

	g_assert_true(g_file_set_contents(packet, "sealed", -1, NULL));
	g_assert_cmpint(nhip_store_packet_add(fixture->store, packet_id, fixture->visit_id, packet,
					      TRUE, &error),
			>, 0);
	g_assert_no_error(error);
	recent = nhip_store_packet_list_recent(fixture->store, fixture->visit_id, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(recent->len, ==, 1);
	g_clear_pointer(&recent, g_ptr_array_unref);
	recent = nhip_store_packet_list_recent(fixture->store, fixture->visit_id + 1, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(recent->len, ==, 0);
	before = nhip_store_packet_fingerprint(fixture->store, &error);
	g_assert_no_error(error);

	reply.msg_id = (gchar *)"9a1b2c3d-0000-4000-8000-000000000001";
	reply.in_reply_to = (gchar *)packet_id;
	reply.cursor = 1;
	reply.path = packet;
	reply.text = (gchar *)"Chuyển tuyến ngay";
	reply.doctor = (gchar *)"BS. Hà";
	reply.referral = 1;
	reply.urgency = (gchar *)"urgent";
	g_assert_true(nhip_store_reply_add(fixture->store, &reply, &error));
	g_assert_no_error(error);
	after = nhip_store_packet_fingerprint(fixture->store, &error);
	g_assert_cmpstr(before, !=, after);

	list = nhip_store_reply_list_for_visit(fixture->store, fixture->visit_id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_cmpstr(((NhipReply *)list->pdata[0])->doctor, ==, "BS. Hà");
	g_assert_cmpint(((NhipReply *)list->pdata[0])->read_at, ==, 0);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = nhip_store_reply_list_unread(fixture->store, &error);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_cmpint(((NhipReply *)list->pdata[0])->visit_id, ==, fixture->visit_id);
	g_clear_pointer(&list, g_ptr_array_unref);

	nurse = nhip_store_staff_add(fixture->store, "Y sĩ Hồng", NHIP_ROLE_STAFF, "2580", &error);
	g_assert_no_error(error);
	nhip_store_set_actor(fixture->store, nurse);
	g_assert_true(nhip_store_reply_mark_read(fixture->store, reply.msg_id, &error));
	g_assert_no_error(error);
	read = nhip_store_packet_fingerprint(fixture->store, &error);
	g_assert_cmpstr(read, !=, after);
	/* read again by someone else: the first reading stays */
	nhip_store_set_actor(fixture->store, 0);
	g_assert_true(nhip_store_reply_mark_read(fixture->store, reply.msg_id, &error));
	list = nhip_store_reply_list_for_visit(fixture->store, fixture->visit_id, &error);
	g_assert_cmpint(((NhipReply *)list->pdata[0])->read_by, ==, nurse);
	g_assert_cmpint(((NhipReply *)list->pdata[0])->read_at, >, 0);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = nhip_store_reply_list_unread(fixture->store, &error);
	g_assert_cmpuint(list->len, ==, 0);
	g_assert_cmpint(nhip_test_sql_int(fixture->db, "SELECT count(*) FROM audit_log WHERE "
						       "action = 'reply.read'"),
			==, 1);
	g_assert_true(nhip_store_audit_verify(fixture->store, NULL, NULL, &error));

	g_assert_false(nhip_store_reply_mark_read(fixture->store, "no-such-reply", &error));
	g_assert_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND);
}

/* ----- the programs, end to end ----- */

static gchar *
run(gint *status, const gchar *first, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	const gchar *arg;
	va_list args;
	gint wait_status = 0;

	va_start(args, first);
	for (arg = first; arg != NULL; arg = va_arg(args, const gchar *))
		g_ptr_array_add(argv, (gpointer)arg);
	va_end(args);
	g_ptr_array_add(argv, NULL);
	g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, 0, NULL, NULL, &out, &err, &wait_status,
		     &error);
	g_assert_no_error(error);
	*status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
	if (*status != 0)
		g_test_message("%s: %s", first, err);
	return g_steal_pointer(&out);
}

static void
test_cli(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *answer = g_build_filename(fixture->tmp, "answer.json", NULL);
	g_autofree gchar *packet = g_build_filename(fixture->tmp, "case.cms", NULL);
	g_autofree gchar *csr =
		nhip_station_identity_path(fixture->identity_dir, NHIP_STATION_FILE_CSR);
	g_autofree gchar *visit = g_strdup_printf("%" G_GINT64_FORMAT, fixture->visit_id);
	g_autofree gchar *token = NULL;
	g_autofree gchar *out = NULL;
	g_autoptr(NhipIdentity) hub_enc = NULL;
	g_autoptr(X509_STORE) trust = NULL;
	g_autoptr(GBytes) sealed = NULL;
	g_autoptr(NhipPacketContents) contents = NULL;
	gchar *bytes = NULL;
	gsize length = 0;
	gint status = -1;

	g_setenv("LANGUAGE", "en", TRUE);
	token = run(&status, NHIP_HUB_PATH, "token", "--dir", fixture->hub_dir, "--station",
		    STATION, NULL);
	g_assert_cmpint(status, ==, 0);
	g_strstrip(token);
	out = run(&status, NHIPCTL_PATH, "--db", fixture->db, "identity", "init", NULL);
	g_assert_cmpint(status, ==, 0);
	g_free(out);
	out = run(&status, NHIP_HUB_PATH, "enroll", "--dir", fixture->hub_dir, "--token", token,
		  "--csr", csr, "--out", answer, NULL);
	g_assert_cmpint(status, ==, 0);
	g_free(out);
	/* the same token a second time */
	out = run(&status, NHIP_HUB_PATH, "enroll", "--dir", fixture->hub_dir, "--token", token,
		  "--csr", csr, NULL);
	g_assert_cmpint(status, ==, 6);
	g_free(out);
	out = run(&status, NHIPCTL_PATH, "--db", fixture->db, "identity", "install", answer,
		  "--token", "aaaaaaaa-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
	g_assert_cmpint(status, ==, 3);
	g_free(out);
	out = run(&status, NHIPCTL_PATH, "--db", fixture->db, "identity", "install", answer,
		  "--token", token, NULL);
	g_assert_cmpint(status, ==, 0);
	g_free(out);
	out = run(&status, NHIPCTL_PATH, "--db", fixture->db, "identity", "show", "--json", NULL);
	g_assert_cmpint(status, ==, 0);
	g_assert_nonnull(strstr(out, "\"station\" : \"" STATION "\""));
	g_free(out);
	out = run(&status, NHIPCTL_PATH, "--db", fixture->db, "case", "seal", visit, "--question",
		  "Xin ý kiến", "--urgent", "--photo", fixture->photo, "--seq", "5", "--out",
		  packet, NULL);
	g_assert_cmpint(status, ==, 0);
	g_strstrip(out);
	g_assert_true(g_uuid_string_is_valid(out));

	g_assert_true(g_file_get_contents(packet, &bytes, &length, &error));
	sealed = g_bytes_new_take(bytes, length);
	hub_enc = nhip_ca_load_identity(fixture->hub_dir, NHIP_CA_ROLE_ENCRYPTION, &error);
	g_assert_no_error(error);
	trust = nhip_ca_trust_store(fixture->hub_dir, &error);
	g_assert_no_error(error);
	contents = nhip_packet_open(sealed, hub_enc, trust, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(contents->manifest->packet_id, ==, out);
	g_assert_cmpint(contents->manifest->sequence, ==, 5);
	g_assert_true(contents->manifest->urgent);
	g_assert_cmpuint(contents->attachments->len, ==, 2);
	g_clear_pointer(&contents, nhip_packet_contents_free);

	/* revoked on the hub: the station's next packet is refused */
	g_free(out);
	out = run(&status, NHIP_HUB_PATH, "revoke", "--dir", fixture->hub_dir, "--station", STATION,
		  NULL);
	g_assert_cmpint(status, ==, 0);
	g_free(out);
	out = run(&status, NHIP_HUB_PATH, "stations", "--dir", fixture->hub_dir, "--json", NULL);
	g_assert_cmpint(status, ==, 0);
	g_assert_nonnull(strstr(out, "\"revoked\" : true"));
	X509_STORE_free(trust);
	trust = nhip_ca_trust_store(fixture->hub_dir, &error);
	g_assert_no_error(error);
	contents = nhip_packet_open(sealed, hub_enc, trust, &error);
	g_assert_error(error, NHIP_PACKET_ERROR, NHIP_PACKET_ERROR_REVOKED);
	g_assert_null(contents);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/case/photo/scale", test_photo_scale);
	g_test_add_func("/case/photo/exif", test_photo_exif);
	g_test_add_func("/case/photo/png", test_photo_png);
	g_test_add_func("/case/photo/refused", test_photo_refused);
	g_test_add("/case/build", Fixture, NULL, fixture_setup, test_case_build, fixture_teardown);
	g_test_add("/case/identity-folder", Fixture, NULL, fixture_setup, test_identity_folder,
		   fixture_teardown);
	g_test_add("/case/identity-migrate", Fixture, NULL, fixture_setup, test_identity_migrate,
		   fixture_teardown);
	g_test_add("/case/reply-read", Fixture, NULL, fixture_setup, test_reply_read,
		   fixture_teardown);
	g_test_add("/case/cli", Fixture, NULL, fixture_setup, test_cli, fixture_teardown);
	return g_test_run();
}
