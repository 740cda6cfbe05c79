/*
 * Nhịp — tests of the CCCD QR parser and the keyboard-wedge burst detector.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-cccd-qr.h"
#include "nhip-key-burst.h"
#include "nhip-ui-error.h"

/* numbers made to agree with the card rules: province 066, century/sex digit, birth year */
#define QR_FEMALE_1990                                                                                  \
	"066190001234||Hà Thị Mai|12051990|Nữ|Thôn 5, Xã Ea Nuôl, Huyện Buôn Đôn, Đắk " \
	"Lắk|20082021"
#define QR_MALE_1985                                                                                         \
	"001085012345|012345678|Nguyễn Văn An|27031985|Nam|Số 12 ngõ 4, Phường Kim Mã, Quận Ba " \
	"Đình, Thành phố Hà Nội|10072021"

static void
test_parse_ok(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipCccdQr) qr = nhip_cccd_qr_parse(QR_FEMALE_1990, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(qr->cccd, ==, "066190001234");
	g_assert_null(qr->old_id);
	g_assert_cmpstr(qr->full_name, ==, "Hà Thị Mai");
	g_assert_cmpstr(qr->birth, ==, "1990-05-12");
	g_assert_cmpint(qr->sex, ==, NHIP_SEX_FEMALE);
	g_assert_cmpstr(qr->issue_date, ==, "2021-08-20");
	g_assert_cmpstr(nhip_cccd_qr_guess_province(qr->address), ==, "66");
	g_clear_pointer(&qr, nhip_cccd_qr_free);

	qr = nhip_cccd_qr_parse(QR_MALE_1985, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(qr->old_id, ==, "012345678");
	g_assert_cmpint(qr->sex, ==, NHIP_SEX_MALE);
	g_assert_cmpstr(nhip_cccd_qr_guess_province(qr->address), ==, "01");
}

static void
test_parse_variants(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(NhipCccdQr) qr = NULL;
	/* cards from 2024 add fields; scanners may add spaces or a trailing newline */
	g_autofree gchar *longer =
		g_strconcat("  ", QR_FEMALE_1990, "|Hà Văn Bố|Lò Thị Mẹ|\n", NULL);
	/* names typed in decomposed Unicode come out composed */
	g_autofree gchar *nfd = g_utf8_normalize(QR_FEMALE_1990, -1, G_NORMALIZE_NFD);

	qr = nhip_cccd_qr_parse(longer, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(qr->full_name, ==, "Hà Thị Mai");
	g_clear_pointer(&qr, nhip_cccd_qr_free);
	qr = nhip_cccd_qr_parse(nfd, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(qr->full_name, ==, "Hà Thị Mai");
	g_assert_true(nhip_cccd_qr_looks_like(longer));
	g_assert_true(nhip_cccd_qr_looks_like(QR_MALE_1985));
}

static void
test_parse_errors(void)
{
	static const struct {
		const gchar *text;
		const gchar *mentions;
	} bad[] = {
		{ "hello", "fields" },
		{ "066190001234|Hà Thị Mai|12051990", "fields" },
		{ "06619000123||Hà Thị Mai|12051990|Nữ|x|20082021", "ID number" },
		{ "066190001234|12345|Hà Thị Mai|12051990|Nữ|x|20082021", "old ID" },
		{ "066190001234||Hà Thị Mai|31021990|Nữ|x|20082021", "date of birth" },
		{ "066190001234||Hà Thị Mai|1990-05-12|Nữ|x|20082021", "DDMMYYYY" },
		{ "066190001234||Hà Thị Mai|12051990|Khác|x|20082021", "Nam" },
		/* the number says female born in the 1900s; the card says male */
		{ "066190001234||Hà Văn Mai|12051990|Nam|x|20082021", "agree" },
		{ "066190001234||Hà Thị Mai|12051990|Nữ|x|20089999", "issue date" },
		{ "066190001234||X|12051990|Nữ|x|20082021", "name" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(NhipCccdQr) qr = nhip_cccd_qr_parse(bad[i].text, &error);
		g_assert_null(qr);
		g_assert_error(error, NHIP_UI_ERROR, NHIP_UI_ERROR_INVALID);
		if (strstr(error->message, bad[i].mentions) == NULL)
			g_error("case %u: “%s” does not mention “%s”", i, error->message,
				bad[i].mentions);
	}
	g_assert_false(nhip_cccd_qr_looks_like(NULL));
	g_assert_false(nhip_cccd_qr_looks_like("GD4797931234567"));
	g_assert_false(nhip_cccd_qr_looks_like("066190001234|only|three"));
	g_assert_null(nhip_cccd_qr_guess_province("Thôn 5, Xã Ea Nuôl, Atlantis"));
	g_assert_null(nhip_cccd_qr_guess_province(NULL));
	g_assert_cmpstr(nhip_cccd_qr_guess_province("x, TP. Hồ Chí Minh"), ==, "79");
	g_assert_cmpstr(nhip_cccd_qr_guess_province("x, Tỉnh Đắk Lắk"), ==, "66");
}

static void
test_burst_scan(void)
{
	g_autoptr(NhipKeyBurst) burst = nhip_key_burst_new(50000, 20);
	const gchar *text = QR_FEMALE_1990;
	gint64 t = 1000000;
	g_autofree gchar *scanned = NULL;
	gboolean first = TRUE;

	/* a person types two letters slowly, then the scanner types the code */
	g_assert_true(nhip_key_burst_feed_char(burst, 'n', t));
	t += 300000;
	g_assert_true(nhip_key_burst_feed_char(burst, 'g', t));
	t += 400000;
	for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gboolean starts = nhip_key_burst_feed_char(burst, g_utf8_get_char(p), t);
		g_assert_cmpint(starts, ==, first);
		first = FALSE;
		t += 8000;
	}
	g_assert_true(nhip_key_burst_is_scanning(burst));
	scanned = nhip_key_burst_feed_enter(burst, t);
	g_assert_cmpstr(scanned, ==, text);
	g_assert_false(nhip_key_burst_is_scanning(burst));
}

static void
test_burst_person(void)
{
	g_autoptr(NhipKeyBurst) burst = nhip_key_burst_new(50000, 20);
	const gchar *text = "nguyen thi hoa 1985 tan hoa";
	gint64 t = 0;
	gchar *scanned;

	/* a fast typist: 90 ms a key */
	for (const gchar *p = text; *p != '\0'; p++) {
		nhip_key_burst_feed_char(burst, (gunichar)*p, t);
		t += 90000;
	}
	scanned = nhip_key_burst_feed_enter(burst, t);
	g_assert_null(scanned);

	/* a short fast burst (a 15-character BHYT barcode) is not a CCCD scan */
	for (guint i = 0; i < 15; i++) {
		nhip_key_burst_feed_char(burst, 'A', t);
		t += 5000;
	}
	g_assert_null(nhip_key_burst_feed_enter(burst, t));

	/* a long fast run whose Enter comes late is not a scan either */
	for (guint i = 0; i < 30; i++) {
		nhip_key_burst_feed_char(burst, 'A', t);
		t += 5000;
	}
	g_assert_null(nhip_key_burst_feed_enter(burst, t + 2000000));

	/* a clock that goes backwards starts a new run */
	nhip_key_burst_feed_char(burst, 'A', t);
	g_assert_true(nhip_key_burst_feed_char(burst, 'B', t - 10));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui/cccd-qr/parse", test_parse_ok);
	g_test_add_func("/ui/cccd-qr/variants", test_parse_variants);
	g_test_add_func("/ui/cccd-qr/errors", test_parse_errors);
	g_test_add_func("/ui/key-burst/scan", test_burst_scan);
	g_test_add_func("/ui/key-burst/person", test_burst_person);
	return g_test_run();
}
