/*
 * Nhịp — tests of the QĐ 130 validator: a valid envelope and check-in document for both
 * profiles, then one failing sample for each rule of the checklist, and hostile input
 * (not XML, truncated, wrong root, bad base64, entity bombs, huge fields, limits).
 *
 * Documents are built from the generated field tables with valid default values, so every
 * sample differs from a valid document only in what it tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "nhip-xml130-validate.h"

#define OMIT "\x01omit"
#define HOSO "GIAMDINHHS/THONGTINHOSO/DANHSACHHOSO/HOSO[1]"

typedef struct {
	const gchar *name;
	const gchar *value;
} Default;

static const Default xml1_defaults[] = {
	{ "MA_LK", "L1" },
	{ "STT", "1" },
	{ "MA_BN", "7" },
	{ "HO_TEN", "Nguyễn Thị Đào" },
	{ "SO_CCCD", "066185001234" },
	{ "NGAY_SINH", "198503270000" },
	{ "GIOI_TINH", "2" },
	{ "MA_QUOCTICH", "000" },
	{ "MA_DANTOC", "01" },
	{ "MA_NGHE_NGHIEP", "00" },
	{ "DIA_CHI", "Thôn 3, xã Tân Hòa, huyện Buôn Đôn, tỉnh Đắk Lắk" },
	{ "MATINH_CU_TRU", "66" },
	{ "MAHUYEN_CU_TRU", "656" },
	{ "MAXA_CU_TRU", "24181" },
	{ "MA_THE_BHYT", "GD4660123456789" },
	{ "MA_DKBD", "66181" },
	{ "GT_THE_TU", "20240101" },
	{ "GT_THE_DEN", "20241231" },
	{ "LY_DO_VV", "Sốt, ho" },
	{ "CHAN_DOAN_VAO", "Viêm họng cấp" },
	{ "CHAN_DOAN_RV", "Viêm họng cấp" },
	{ "MA_BENH_CHINH", "J02.9" },
	{ "MA_DOITUONG_KCB", "1.1" },
	{ "NGAY_VAO", "202403050800" },
	{ "NGAY_RA", "202403050815" },
	{ "SO_NGAY_DTRI", "0" },
	{ "KET_QUA_DTRI", "1" },
	{ "MA_LOAI_RV", "1" },
	{ "T_THUOC", "0" },
	{ "T_VTYT", "0" },
	{ "T_TONGCHI_BV", "38700" },
	{ "T_TONGCHI_BH", "38700" },
	{ "T_BNTT", "0" },
	{ "T_BNCCT", "0" },
	{ "T_BHTT", "38700" },
	{ "T_NGUONKHAC", "0" },
	{ "T_BHTT_GDV", "38700" },
	{ "NAM_QT", "2024" },
	{ "THANG_QT", "3" },
	{ "MA_LOAI_KCB", "01" },
	{ "MA_KHOA", "K01" },
	{ "MA_CSKCB", "66181" },
	{ "CAN_NANG", "58.25" },
	{ "MA_HSBA", "L1" },
	{ NULL, NULL },
};

static const Default xml3_defaults[] = {
	{ "MA_LK", "L1" },
	{ "STT", "1" },
	{ "MA_DICH_VU", "02.1896" },
	{ "MA_NHOM", "13" },
	{ "TEN_DICH_VU", "Khám bệnh tại Trạm Y tế xã" },
	{ "DON_VI_TINH", "Lần" },
	{ "PHAM_VI", "1" },
	{ "SO_LUONG", "1" },
	{ "DON_GIA_BV", "38700" },
	{ "DON_GIA_BH", "38700" },
	{ "TYLE_TT_DV", "100" },
	{ "TYLE_TT_BH", "100" },
	{ "THANH_TIEN_BV", "38700" },
	{ "THANH_TIEN_BH", "38700" },
	{ "MUC_HUONG", "100" },
	{ "T_NGUONKHAC_NSNN", "0" },
	{ "T_NGUONKHAC_VTNN", "0" },
	{ "T_NGUONKHAC_VTTN", "0" },
	{ "T_NGUONKHAC_CL", "0" },
	{ "T_NGUONKHAC", "0" },
	{ "T_BNTT", "0" },
	{ "T_BNCCT", "0" },
	{ "T_BHTT", "38700" },
	{ "MA_KHOA", "K01" },
	{ "MA_BAC_SI", "001932/ĐL-CCHN" },
	{ "NGUOI_THUC_HIEN", "001932/ĐL-CCHN" },
	{ "MA_BENH", "J02.9" },
	{ "NGAY_YL", "202403050801" },
	{ "NGAY_TH_YL", "202403050805" },
	{ "MA_PTTT", "1" },
	{ NULL, NULL },
};

static const Default xml5_defaults[] = {
	{ "MA_LK", "L1" },
	{ "STT", "1" },
	{ "DIEN_BIEN_LS", "CSST<M78_T37.5_HA120/80_NT18_SP97>" },
	{ "THOI_DIEM_DBLS", "202403050802" },
	{ "NGUOI_THUC_HIEN", "001932/ĐL-CCHN" },
	{ NULL, NULL },
};

static const Default xml4_defaults[] = {
	{ "MA_LK", "L1" },
	{ "STT", "1" },
	{ "MA_DICH_VU", "22.0120" },
	{ "TEN_CHI_SO", "Glucose" },
	{ "GIA_TRI", "6.2" },
	{ "DON_VI_DO", "mmol/L" },
	{ "NGAY_KQ", "202403050810" },
	{ NULL, NULL },
};

static const Default xml13_defaults[] = {
	{ "MA_LK", "L1" },
	{ "SO_HOSO", "L1" },
	{ "SO_CHUYENTUYEN", "CT1" },
	{ "GIAY_CHUYEN_TUYEN", "CT1" },
	{ "MA_CSKCB", "66181" },
	{ "MA_NOI_DI", "66181" },
	{ "MA_NOI_DEN", "66001" },
	{ "HO_TEN", "Nguyễn Thị Đào" },
	{ "DAU_HIEU_LS", "Sốt cao, khó thở" },
	{ "QT_BENHLY", "Sốt 3 ngày" },
	{ "TEN_DICH_VU", "Khám bệnh tại Trạm Y tế xã" },
	{ "MA_LOAI_RV", "2" },
	{ "MA_LYDO_CT", "2" },
	{ "HUONG_DIEU_TRI", "Chuyển Bệnh viện huyện" },
	{ "PHUONGTIEN_VC", "Xe cứu thương" },
	{ "MA_BAC_SI", "001932/ĐL-CCHN" },
	{ "MA_TTDV", "6600123456" },
	{ NULL, NULL },
};

static const Default xml14_defaults[] = {
	{ "MA_LK", "L1" },
	{ "SO_GIAYHEN_KL", "HK1" },
	{ "MA_CSKCB", "66181" },
	{ "HO_TEN", "Nguyễn Thị Đào" },
	{ "NGAY_RA", "202403050815" },
	{ "NGAY_HEN_KL", "20240319" },
	{ "MA_BAC_SI", "001932/ĐL-CCHN" },
	{ "MA_TTDV", "6600123456" },
	{ "NGAY_CT", "20240305" },
	{ NULL, NULL },
};

static const Default checkin_defaults[] = {
	{ "MA_LK", "L1" },
	{ "STT", "1" },
	{ "MA_BN", "7" },
	{ "HO_TEN", "Nguyễn Thị Đào" },
	{ "NGAY_SINH", "198503270000" },
	{ "GIOI_TINH", "2" },
	{ "MA_THE_BHYT", "GD4660123456789" },
	{ "MA_DKBD", "66181" },
	{ "GT_THE_TU", "20240101" },
	{ "GT_THE_DEN", "20241231" },
	{ "MA_DOITUONG_KCB", "1.1" },
	{ "NGAY_VAO", "202403050800" },
	{ "MA_LOAI_KCB", "01" },
	{ "MA_CSKCB", "66181" },
	{ "MA_DICH_VU", "02.1896" },
	{ "TEN_DICH_VU", "Khám bệnh tại Trạm Y tế xã" },
	{ "NGAY_YL", "202403050801" },
	{ NULL, NULL },
};

/* a sample: the rows of each table present in one HOSO */
typedef struct {
	NhipXml130Profile profile;
	GHashTable *rows[NHIP_XML130_N_TABLES];
	guint n_rows[NHIP_XML130_N_TABLES];
} Sample;

static GHashTable *
row_new(const Default *defaults, NhipXml130Profile profile)
{
	GHashTable *row = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (guint i = 0; defaults[i].name != NULL; i++)
		g_hash_table_insert(row, g_strdup(defaults[i].name), g_strdup(defaults[i].value));
	/* fields whose format changed with the profile */
	if (profile == NHIP_XML130_PROFILE_4750) {
		if (g_hash_table_contains(row, "MA_NGHE_NGHIEP"))
			g_hash_table_insert(row, g_strdup("MA_NGHE_NGHIEP"), g_strdup("00000"));
		if (g_hash_table_contains(row, "NGAY_HEN_KL"))
			g_hash_table_insert(row, g_strdup("NGAY_HEN_KL"), g_strdup("202403190000"));
	}
	return row;
}

static void
set(GHashTable *row, const gchar *name, const gchar *value)
{
	g_hash_table_insert(row, g_strdup(name), g_strdup(value));
}

static Sample *
sample_new(NhipXml130Profile profile)
{
	Sample *sample = g_new0(Sample, 1);
	sample->profile = profile;
	sample->rows[NHIP_XML130_TABLE_XML1] = row_new(xml1_defaults, profile);
	sample->rows[NHIP_XML130_TABLE_XML3] = row_new(xml3_defaults, profile);
	sample->n_rows[NHIP_XML130_TABLE_XML1] = 1;
	sample->n_rows[NHIP_XML130_TABLE_XML3] = 1;
	return sample;
}

static void
sample_add(Sample *sample, NhipXml130TableId id)
{
	static const Default *const defaults[NHIP_XML130_N_TABLES] = {
		[NHIP_XML130_TABLE_CHECKIN] = checkin_defaults,
		[NHIP_XML130_TABLE_XML4] = xml4_defaults,
		[NHIP_XML130_TABLE_XML5] = xml5_defaults,
		[NHIP_XML130_TABLE_XML13] = xml13_defaults,
		[NHIP_XML130_TABLE_XML14] = xml14_defaults,
	};
	sample->rows[id] = row_new(defaults[id], sample->profile);
	sample->n_rows[id] = 1;
}

static void
sample_free(Sample *sample)
{
	for (guint i = 0; i < NHIP_XML130_N_TABLES; i++) {
		if (sample->rows[i] != NULL)
			g_hash_table_unref(sample->rows[i]);
	}
	g_free(sample);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Sample, sample_free)

static void
append_escaped(GString *out, const gchar *text)
{
	g_autofree gchar *escaped = g_markup_escape_text(text, -1);
	g_string_append(out, escaped);
}

static void
append_row(GString *out, const NhipXml130Table *table, GHashTable *row, guint stt)
{
	if (table->list != NULL)
		g_string_append_printf(out, "<%s>", table->record);
	for (guint i = 0; i < table->n_fields; i++) {
		const gchar *name = table->fields[i].name;
		const gchar *value = g_hash_table_lookup(row, name);
		g_autofree gchar *number = NULL;
		if (g_strcmp0(value, OMIT) == 0)
			continue;
		if (g_str_equal(name, "STT") && stt > 1 && g_strcmp0(value, "1") == 0)
			value = number = g_strdup_printf("%u", stt);
		g_string_append_printf(out, "<%s>", name);
		append_escaped(out, value != NULL ? value : "");
		g_string_append_printf(out, "</%s>", name);
	}
	if (g_hash_table_contains(row, "\x01extra"))
		g_string_append(out, g_hash_table_lookup(row, "\x01extra"));
	if (table->list != NULL)
		g_string_append_printf(out, "</%s>", table->record);
}

/* the document of one table */
static gchar *
table_xml(const Sample *sample, NhipXml130TableId id)
{
	const NhipXml130Table *table = nhip_xml130_table(sample->profile, id);
	GString *out = g_string_new("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");

	if (table->list != NULL) {
		g_string_append_printf(out, "<%s><%s>", table->root, table->list);
		for (guint r = 0; r < sample->n_rows[id]; r++)
			append_row(out, table, sample->rows[id], r + 1);
		g_string_append_printf(out, "</%s>", table->list);
		if (id == NHIP_XML130_TABLE_CHECKIN)
			g_string_append(out, "<CHUKYDONVI/>");
		g_string_append_printf(out, "</%s>", table->root);
	} else {
		g_string_append_printf(out, "<%s>", table->root);
		append_row(out, table, sample->rows[id], 1);
		g_string_append_printf(out, "</%s>", table->root);
	}
	return g_string_free(out, FALSE);
}

static gchar *
file_xml(const gchar *loaihoso, const gchar *document)
{
	g_autofree gchar *base64 = g_base64_encode((const guchar *)document, strlen(document));
	return g_strdup_printf("<FILEHOSO><LOAIHOSO>%s</LOAIHOSO><NOIDUNGFILE>%s</NOIDUNGFILE>"
			       "</FILEHOSO>",
			       loaihoso, base64);
}

static gchar *
hoso_xml(const Sample *sample)
{
	GString *out = g_string_new("<HOSO>");
	for (guint t = NHIP_XML130_TABLE_XML1; t < NHIP_XML130_N_TABLES; t++) {
		g_autofree gchar *document = NULL;
		g_autofree gchar *file = NULL;
		if (sample->rows[t] == NULL)
			continue;
		document = table_xml(sample, t);
		file = file_xml(nhip_xml130_table(sample->profile, t)->loaihoso, document);
		g_string_append(out, file);
	}
	g_string_append(out, "</HOSO>");
	return g_string_free(out, FALSE);
}

static gchar *
envelope_of(const gchar *hosos, guint count)
{
	return g_strdup_printf(
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<GIAMDINHHS xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<THONGTINDONVI><MACSKCB>66181</MACSKCB></THONGTINDONVI>"
		"<THONGTINHOSO><NGAYLAP>20240306</NGAYLAP><SOLUONGHOSO>%u"
		"</SOLUONGHOSO><DANHSACHHOSO>%s</DANHSACHHOSO></THONGTINHOSO>"
		"<CHUKYDONVI/></GIAMDINHHS>",
		count, hosos);
}

static gchar *
envelope(const Sample *sample)
{
	g_autofree gchar *hoso = hoso_xml(sample);
	return envelope_of(hoso, 1);
}

static GPtrArray *
validate_text(const gchar *text, NhipXml130Profile profile)
{
	return nhip_xml130_validate((const guint8 *)text, strlen(text), profile, NULL);
}

static GPtrArray *
validate_sample(const Sample *sample)
{
	g_autofree gchar *text = envelope(sample);
	return validate_text(text, sample->profile);
}

static void
dump(GPtrArray *violations)
{
	for (guint i = 0; i < violations->len; i++) {
		const NhipXml130Violation *v = violations->pdata[i];
		g_printerr("  %s %s: %s\n", v->severity == NHIP_XML130_SEVERITY_ERROR ? "E" : "W",
			   v->path, v->message);
	}
}

static void
assert_clean(GPtrArray *violations)
{
	if (violations->len > 0) {
		dump(violations);
		g_error("expected no violations, got %u", violations->len);
	}
}

/* one violation of @severity whose path ends with @path and whose message has @fragment */
static void
expect(GPtrArray *violations, NhipXml130Severity severity, const gchar *path, const gchar *fragment)
{
	for (guint i = 0; i < violations->len; i++) {
		const NhipXml130Violation *v = violations->pdata[i];
		if (v->severity == severity && g_str_has_suffix(v->path, path) &&
		    strstr(v->message, fragment) != NULL) {
			g_assert_true(g_utf8_validate(v->message, -1, NULL));
			return;
		}
	}
	dump(violations);
	g_error("no %s at …%s with “%s”",
		severity == NHIP_XML130_SEVERITY_ERROR ? "error" : "warning", path, fragment);
}

#define EXPECT_ERROR(v, path, fragment) expect((v), NHIP_XML130_SEVERITY_ERROR, (path), (fragment))
#define EXPECT_WARNING(v, path, fragment) \
	expect((v), NHIP_XML130_SEVERITY_WARNING, (path), (fragment))

/* ----- valid documents ----- */

static void
test_valid(gconstpointer data)
{
	NhipXml130Profile profile = GPOINTER_TO_INT(data);
	g_autoptr(Sample) sample = sample_new(profile);
	g_autoptr(GPtrArray) violations = NULL;
	g_autoptr(GPtrArray) violations2 = NULL;
	g_autoptr(GPtrArray) violations3 = NULL;
	g_autofree gchar *checkin = NULL;

	violations = validate_sample(sample);
	assert_clean(violations);

	/* with clinical course (care type 06), a lab result, a referral and an appointment */
	set(sample->rows[NHIP_XML130_TABLE_XML1], "MA_LOAI_KCB", "06");
	set(sample->rows[NHIP_XML130_TABLE_XML1], "SO_NGAY_DTRI", "1");
	set(sample->rows[NHIP_XML130_TABLE_XML1], "MA_LOAI_RV", "2");
	set(sample->rows[NHIP_XML130_TABLE_XML1], "MA_NOI_DEN", "66001");
	sample_add(sample, NHIP_XML130_TABLE_XML4);
	sample_add(sample, NHIP_XML130_TABLE_XML5);
	sample_add(sample, NHIP_XML130_TABLE_XML13);
	sample_add(sample, NHIP_XML130_TABLE_XML14);
	sample->n_rows[NHIP_XML130_TABLE_XML5] = 3;
	violations2 = validate_sample(sample);
	assert_clean(violations2);

	sample_add(sample, NHIP_XML130_TABLE_CHECKIN);
	checkin = table_xml(sample, NHIP_XML130_TABLE_CHECKIN);
	violations3 = validate_text(checkin, profile);
	assert_clean(violations3);
}

/* ----- the envelope ----- */

static void
test_envelope(void)
{
	g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
	g_autofree gchar *good = envelope(sample);
	g_autofree gchar *hoso = hoso_xml(sample);
	struct {
		const gchar *from;
		const gchar *to;
		gboolean error;
		const gchar *path;
		const gchar *fragment;
	} cases[] = {
		{ "<MACSKCB>66181</MACSKCB>", "<MACSKCB>66A81</MACSKCB>", FALSE,
		  "THONGTINDONVI/MACSKCB", "not 5 digits" },
		{ "<MACSKCB>66181</MACSKCB>", "<MACSKCB>66182</MACSKCB>", TRUE, "TONG_HOP/MA_CSKCB",
		  "envelope's MACSKCB" },
		{ "<NGAYLAP>20240306</NGAYLAP>", "<NGAYLAP>20240230</NGAYLAP>", TRUE,
		  "THONGTINHOSO/NGAYLAP", "not a date" },
		{ "<SOLUONGHOSO>1</SOLUONGHOSO>", "<SOLUONGHOSO>2</SOLUONGHOSO>", TRUE,
		  "THONGTINHOSO/SOLUONGHOSO", "holds 1 HOSO" },
		{ "<LOAIHOSO>XML3</LOAIHOSO>", "<LOAIHOSO>XML99</LOAIHOSO>", TRUE,
		  "FILEHOSO[2]/LOAIHOSO", "not one of XML1" },
		{ "<LOAIHOSO>XML1</LOAIHOSO>", "<LOAIHOSO>XML2</LOAIHOSO>", TRUE, "(XML2)",
		  "root element is TONG_HOP" },
		{ "<CHUKYDONVI/>", "", TRUE, "GIAMDINHHS/CHUKYDONVI", "missing" },
		{ "<CHUKYDONVI/>", "<CHUKYDONVI>chữ ký</CHUKYDONVI>", TRUE, "GIAMDINHHS/CHUKYDONVI",
		  "XML-DSig" },
		{ "<CHUKYDONVI/>",
		  "<CHUKYDONVI><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>"
		  "</CHUKYDONVI>",
		  TRUE, "CHUKYDONVI/Signature", "SignedInfo" },
		{ "<THONGTINDONVI>", "<GHICHU/><THONGTINDONVI>", TRUE, "GIAMDINHHS/GHICHU",
		  "not expected" },
		{ "<THONGTINDONVI><MACSKCB>66181</MACSKCB></THONGTINDONVI>", "", TRUE,
		  "GIAMDINHHS/THONGTINDONVI", "missing" },
		{ "<DANHSACHHOSO>", "<DANHSACHHOSO><HOSOX/>", TRUE, "DANHSACHHOSO/HOSOX",
		  "not expected" },
		{ "<NOIDUNGFILE>", "<NOIDUNGFILE>*", TRUE, "FILEHOSO[1](XML1)",
		  "character 1 is not allowed" },
		{ "</NOIDUNGFILE>", "A</NOIDUNGFILE>", TRUE, "FILEHOSO[1](XML1)", "multiple of 4" },
		{ "<CHUKYDONVI/></GIAMDINHHS>", "<CHUKYDONVI/><THONGTINHOSO/></GIAMDINHHS>", TRUE,
		  "GIAMDINHHS/THONGTINHOSO", "appears 2 times" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *text = NULL;
		g_autoptr(GPtrArray) violations = NULL;
		gchar *at = strstr(good, cases[i].from);
		g_assert_nonnull(at);
		text = g_strdup_printf("%.*s%s%s", (gint)(at - good), good, cases[i].to,
				       at + strlen(cases[i].from));
		violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		expect(violations,
		       cases[i].error ? NHIP_XML130_SEVERITY_ERROR : NHIP_XML130_SEVERITY_WARNING,
		       cases[i].path, cases[i].fragment);
	}

	/* two HOSO with the same MA_LK */
	{
		g_autofree gchar *both = g_strconcat(hoso, hoso, NULL);
		g_autofree gchar *text = envelope_of(both, 2);
		g_autoptr(GPtrArray) violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		EXPECT_ERROR(violations, "HOSO[2]", "also used by");
	}
	/* a HOSO without XML1, one without files, one with XML3 twice */
	{
		g_autoptr(Sample) no_xml1 = sample_new(NHIP_XML130_PROFILE_4750);
		g_autofree gchar *document = table_xml(no_xml1, NHIP_XML130_TABLE_XML3);
		g_autofree gchar *file = file_xml("XML3", document);
		g_autofree gchar *only3 = g_strdup_printf("<HOSO>%s</HOSO><HOSO/>", file);
		g_autofree gchar *text = envelope_of(only3, 2);
		g_autoptr(GPtrArray) violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		EXPECT_ERROR(violations, "HOSO[1]", "has no XML1");
		EXPECT_ERROR(violations, "HOSO[2]", "has no FILEHOSO");
	}
	{
		g_autofree gchar *document = table_xml(sample, NHIP_XML130_TABLE_XML3);
		g_autofree gchar *file = file_xml("XML3", document);
		g_autofree gchar *doubled = g_strdup(hoso);
		g_autofree gchar *text = NULL;
		g_autoptr(GPtrArray) violations = NULL;
		doubled[strlen(doubled) - strlen("</HOSO>")] = '\0';
		text = g_strdup_printf("%s%s</HOSO>", doubled, file);
		g_free(doubled);
		doubled = g_steal_pointer(&text);
		text = envelope_of(doubled, 1);
		violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		EXPECT_ERROR(violations, "FILEHOSO[3](XML3)", "appears twice");
	}
	/* base64 broken into lines is read, with a warning */
	{
		g_autofree gchar *document = table_xml(sample, NHIP_XML130_TABLE_XML1);
		g_autofree gchar *base64 =
			g_base64_encode((const guchar *)document, strlen(document));
		g_autoptr(GString) wrapped = g_string_new(NULL);
		g_autofree gchar *files = NULL;
		g_autofree gchar *text = NULL;
		g_autofree gchar *xml3 = table_xml(sample, NHIP_XML130_TABLE_XML3);
		g_autofree gchar *xml3_file = file_xml("XML3", xml3);
		g_autoptr(GPtrArray) violations = NULL;
		for (gsize i = 0; base64[i] != '\0'; i++) {
			g_string_append_c(wrapped, base64[i]);
			if (i % 76 == 75)
				g_string_append(wrapped, "\r\n");
		}
		files = g_strdup_printf("<HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>%s"
					"</NOIDUNGFILE></FILEHOSO>%s</HOSO>",
					wrapped->str, xml3_file);
		text = envelope_of(files, 1);
		violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		EXPECT_WARNING(violations, "FILEHOSO[1](XML1)", "line breaks");
		g_assert_cmpuint(
			nhip_xml130_violations_count(violations, NHIP_XML130_SEVERITY_ERROR), ==,
			0);
	}
	/* a table that is base64 of something that is not XML */
	{
		g_autofree gchar *file = file_xml("XML1", "Họ tên: Nguyễn Thị Đào");
		g_autofree gchar *files = g_strdup_printf("<HOSO>%s</HOSO>", file);
		g_autofree gchar *text = envelope_of(files, 1);
		g_autoptr(GPtrArray) violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		EXPECT_ERROR(violations, "FILEHOSO[1](XML1)", "not well-formed");
	}
}

/* ----- one field at a time ----- */

typedef struct {
	NhipXml130TableId table;
	const gchar *field;
	const gchar *value;
	gboolean error;
	const gchar *path;
	const gchar *fragment;
} FieldCase;

static void
run_field_cases(NhipXml130Profile profile, const FieldCase *cases, guint n)
{
	for (guint i = 0; i < n; i++) {
		g_autoptr(Sample) sample = sample_new(profile);
		g_autoptr(GPtrArray) violations = NULL;
		if (sample->rows[cases[i].table] == NULL)
			sample_add(sample, cases[i].table);
		set(sample->rows[cases[i].table], cases[i].field, cases[i].value);
		violations = validate_sample(sample);
		expect(violations,
		       cases[i].error ? NHIP_XML130_SEVERITY_ERROR : NHIP_XML130_SEVERITY_WARNING,
		       cases[i].path, cases[i].fragment);
	}
}

static void
test_fields(void)
{
	g_autofree gchar *name255 = NULL;
	g_autofree gchar *name256 = NULL;
	GString *text = g_string_new(NULL);
	const FieldCase cases[] = {
		{ NHIP_XML130_TABLE_XML1, "T_BHTT", "38.700,5", TRUE, "TONG_HOP/T_BHTT",
		  "not a number" },
		{ NHIP_XML130_TABLE_XML1, "MA_BN", "", TRUE, "TONG_HOP/MA_BN",
		  "required but empty" },
		{ NHIP_XML130_TABLE_XML1, "MA_BN", OMIT, TRUE, "TONG_HOP/MA_BN",
		  "required but missing" },
		{ NHIP_XML130_TABLE_XML1, "NHOM_MAU", OMIT, FALSE, "TONG_HOP/NHOM_MAU",
		  "write every field" },
		{ NHIP_XML130_TABLE_XML1, "NGAY_VAO", "202402300800", TRUE, "TONG_HOP/NGAY_VAO",
		  "yyyyMMddHHmm" },
		{ NHIP_XML130_TABLE_XML1, "NGAY_RA", "2024030508", TRUE, "TONG_HOP/NGAY_RA",
		  "yyyyMMddHHmm" },
		{ NHIP_XML130_TABLE_XML1, "GT_THE_TU", "20241301", TRUE, "TONG_HOP/GT_THE_TU",
		  "yyyyMMdd" },
		{ NHIP_XML130_TABLE_XML1, "GT_THE_DEN", "20241231; 20251231", TRUE,
		  "TONG_HOP/GT_THE_DEN", "without spaces" },
		{ NHIP_XML130_TABLE_XML1, "NGAY_SINH", "198500150000", TRUE, "TONG_HOP/NGAY_SINH",
		  "birth date" },
		{ NHIP_XML130_TABLE_XML1, "NGAY_SINH", "19850327", TRUE, "TONG_HOP/NGAY_SINH",
		  "12 digits" },
		{ NHIP_XML130_TABLE_XML1, "GIOI_TINH", "4", TRUE, "TONG_HOP/GIOI_TINH",
		  "between 1 and 3" },
		{ NHIP_XML130_TABLE_XML1, "KET_QUA_DTRI", "9", TRUE, "TONG_HOP/KET_QUA_DTRI",
		  "between 1 and 8" },
		{ NHIP_XML130_TABLE_XML1, "MA_LOAI_RV", "6", TRUE, "TONG_HOP/MA_LOAI_RV",
		  "between 1 and 5" },
		{ NHIP_XML130_TABLE_XML1, "MA_LOAI_KCB", "1", TRUE, "TONG_HOP/MA_LOAI_KCB",
		  "01 02 03" },
		{ NHIP_XML130_TABLE_XML1, "MA_KHUVUC", "K4", TRUE, "TONG_HOP/MA_KHUVUC",
		  "K1 K2 K3" },
		{ NHIP_XML130_TABLE_XML1, "MA_BENH_CHINH", "J0", TRUE, "TONG_HOP/MA_BENH_CHINH",
		  "ICD-10" },
		{ NHIP_XML130_TABLE_XML1, "MA_BENH_KT",
		  "A01;A02;A03;A04;A05;A06;A07;A08;A09;B01;B02;B03;B04", TRUE,
		  "TONG_HOP/MA_BENH_KT", "at most 12" },
		{ NHIP_XML130_TABLE_XML1, "MA_THE_BHYT", "GD466", TRUE, "TONG_HOP/MA_THE_BHYT",
		  "BHYT card number" },
		{ NHIP_XML130_TABLE_XML1, "SO_CCCD", "AB12345678", TRUE, "TONG_HOP/SO_CCCD",
		  "ID number" },
		{ NHIP_XML130_TABLE_XML1, "MA_DANTOC", "57", TRUE, "TONG_HOP/MA_DANTOC",
		  "between 1 and 56" },
		{ NHIP_XML130_TABLE_XML1, "MA_QUOCTICH", "VN", TRUE, "TONG_HOP/MA_QUOCTICH",
		  "digits only" },
		{ NHIP_XML130_TABLE_XML1, "MA_DOITUONG_KCB", "A", TRUE, "TONG_HOP/MA_DOITUONG_KCB",
		  "QĐ 824" },
		{ NHIP_XML130_TABLE_XML1, "CAN_NANG", "58.255", TRUE, "TONG_HOP/CAN_NANG",
		  "weight in kg" },
		{ NHIP_XML130_TABLE_XML1, "MA_NOI_DEN", "6600", TRUE, "TONG_HOP/MA_NOI_DEN",
		  "5 characters" },
		{ NHIP_XML130_TABLE_XML1, "\x01extra", "<GHI_CHU_KHAC>x</GHI_CHU_KHAC>", TRUE,
		  "TONG_HOP/GHI_CHU_KHAC", "not a field of table XML1" },
		{ NHIP_XML130_TABLE_XML1, "\x01extra", "<MA_LK>L1</MA_LK>", TRUE, "TONG_HOP/MA_LK",
		  "appears twice" },
		{ NHIP_XML130_TABLE_XML1, "\x01extra", "<MA_BN_KHAC/><STT>1</STT>", TRUE,
		  "TONG_HOP/STT", "appears twice" },
		{ NHIP_XML130_TABLE_XML1, "MA_LK", OMIT, TRUE, "TONG_HOP/MA_LK",
		  "required but missing" },
		{ NHIP_XML130_TABLE_XML3, "SO_LUONG", "-1", TRUE, "CHI_TIET_DVKT[1]/SO_LUONG",
		  "negative" },
		{ NHIP_XML130_TABLE_XML3, "MA_NHOM", "20", TRUE, "CHI_TIET_DVKT[1]/MA_NHOM",
		  "between 1 and 19" },
		{ NHIP_XML130_TABLE_XML3, "MA_BAC_SI", "", TRUE, "CHI_TIET_DVKT[1]/MA_BAC_SI",
		  "required" },
	};

	run_field_cases(NHIP_XML130_PROFILE_4750, cases, G_N_ELEMENTS(cases));

	/* sizes are counted in characters: 255 "Đ" (510 bytes) fit HO_TEN, 256 do not */
	for (guint i = 0; i < 255; i++)
		g_string_append(text, "Đ");
	name255 = g_strdup(text->str);
	g_string_append(text, "Đ");
	name256 = g_string_free(text, FALSE);
	{
		g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
		g_autoptr(GPtrArray) violations = NULL;
		g_autoptr(GPtrArray) violations2 = NULL;
		set(sample->rows[NHIP_XML130_TABLE_XML1], "HO_TEN", name255);
		violations = validate_sample(sample);
		assert_clean(violations);
		set(sample->rows[NHIP_XML130_TABLE_XML1], "HO_TEN", name256);
		violations2 = validate_sample(sample);
		EXPECT_ERROR(violations2, "TONG_HOP/HO_TEN", "has 256 characters");
	}
	/* fields out of the table's order */
	{
		g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
		g_autoptr(GPtrArray) violations = NULL;
		set(sample->rows[NHIP_XML130_TABLE_XML1], "NHOM_MAU", OMIT);
		set(sample->rows[NHIP_XML130_TABLE_XML1], "\x01extra", "<NHOM_MAU>A+</NHOM_MAU>");
		violations = validate_sample(sample);
		EXPECT_WARNING(violations, "TONG_HOP/NHOM_MAU", "order of the table");
	}
	/* an element inside a field */
	{
		g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
		g_autoptr(GPtrArray) violations = NULL;
		g_autofree gchar *good = NULL;
		g_autofree gchar *bad = NULL;
		g_autofree gchar *document = table_xml(sample, NHIP_XML130_TABLE_XML1);
		g_autofree gchar *file = NULL;
		g_autofree gchar *files = NULL;
		gchar *at = strstr(document, "<DIA_CHI>");
		bad = g_strdup_printf("%.*s<DIA_CHI><b>x</b>%s", (gint)(at - document), document,
				      at + strlen("<DIA_CHI>"));
		file = file_xml("XML1", bad);
		files = g_strdup_printf("<HOSO>%s</HOSO>", file);
		good = envelope_of(files, 1);
		violations = validate_text(good, NHIP_XML130_PROFILE_4750);
		EXPECT_ERROR(violations, "TONG_HOP/DIA_CHI", "not elements");
	}
	/* the profiles differ */
	{
		const FieldCase in3176[] = {
			{ NHIP_XML130_TABLE_XML1, "MA_NGHE_NGHIEP", "00000", TRUE,
			  "TONG_HOP/MA_NGHE_NGHIEP", "QĐ 3176 allows at most 2" },
			{ NHIP_XML130_TABLE_XML14, "NGAY_HEN_KL", "202403190000", TRUE,
			  "(XML14)/CHI_TIEU_GIAYHEN_KHAMLAI/NGAY_HEN_KL", "yyyyMMdd" },
		};
		const FieldCase in4750[] = {
			{ NHIP_XML130_TABLE_XML1, "MA_TTDV", "000123/ĐL-GPHN", TRUE,
			  "TONG_HOP/MA_TTDV", "QĐ 4750 allows at most 10" },
		};
		g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_3176);
		g_autoptr(GPtrArray) violations = NULL;
		run_field_cases(NHIP_XML130_PROFILE_3176, in3176, G_N_ELEMENTS(in3176));
		run_field_cases(NHIP_XML130_PROFILE_4750, in4750, G_N_ELEMENTS(in4750));
		/* 3176 takes other ID documents */
		set(sample->rows[NHIP_XML130_TABLE_XML1], "SO_CCCD", "AB12345678");
		set(sample->rows[NHIP_XML130_TABLE_XML1], "MA_TTDV", "000123/ĐL-GPHN");
		violations = validate_sample(sample);
		assert_clean(violations);
	}
}

/* ----- across tables ----- */

static void
test_links(void)
{
	const FieldCase cases[] = {
		{ NHIP_XML130_TABLE_XML3, "MA_LK", "L2", TRUE, "CHI_TIET_DVKT[1]/MA_LK",
		  "XML1 has MA_LK" },
		{ NHIP_XML130_TABLE_XML1, "NGAY_RA", "202403050759", TRUE, "TONG_HOP/NGAY_RA",
		  "before NGAY_VAO" },
		{ NHIP_XML130_TABLE_XML1, "NGAY_VAO_NOI_TRU", "202403050700", TRUE,
		  "TONG_HOP/NGAY_VAO_NOI_TRU", "before NGAY_VAO" },
		{ NHIP_XML130_TABLE_XML3, "NGAY_YL", "202403050759", TRUE,
		  "CHI_TIET_DVKT[1]/NGAY_YL", "outside the visit" },
		{ NHIP_XML130_TABLE_XML3, "NGAY_TH_YL", "202403051000", TRUE,
		  "CHI_TIET_DVKT[1]/NGAY_TH_YL", "outside the visit" },
		{ NHIP_XML130_TABLE_XML1, "T_TONGCHI_BV", "40000", TRUE, "TONG_HOP/T_TONGCHI_BV",
		  "sum of THANH_TIEN_BV in XML2 and XML3" },
		{ NHIP_XML130_TABLE_XML1, "T_TONGCHI_BH", "30000", TRUE, "TONG_HOP/T_TONGCHI_BH",
		  "sum of THANH_TIEN_BH" },
		{ NHIP_XML130_TABLE_XML1, "T_THUOC", "100", TRUE, "TONG_HOP/T_THUOC",
		  "THANH_TIEN_BV in XML2" },
		{ NHIP_XML130_TABLE_XML1, "T_VTYT", "100", TRUE, "TONG_HOP/T_VTYT", "supplies" },
		{ NHIP_XML130_TABLE_XML1, "T_BNCCT", "100", TRUE, "TONG_HOP/T_BHTT",
		  "T_TONGCHI_BH − T_BNCCT" },
		{ NHIP_XML130_TABLE_XML1, "T_BHTT_GDV", "0", TRUE, "TONG_HOP/T_BHTT_GDV",
		  "MA_PTTT 1" },
		{ NHIP_XML130_TABLE_XML3, "T_BHTT", "30000", TRUE, "TONG_HOP/T_BHTT",
		  "sum of T_BHTT" },
		{ NHIP_XML130_TABLE_XML1, "SO_NGAY_DTRI", "1", TRUE, "TONG_HOP/SO_NGAY_DTRI",
		  "it is 0 for MA_LOAI_KCB 01" },
		{ NHIP_XML130_TABLE_XML1, "MA_LOAI_KCB", "06", TRUE, "TONG_HOP/SO_NGAY_DTRI",
		  "NGAY_RA − NGAY_VAO + 1 = 1" },
		{ NHIP_XML130_TABLE_XML1, "MA_LOAI_KCB", "02", FALSE, "HOSO[1]",
		  "no XML5 (clinical course)" },
		{ NHIP_XML130_TABLE_XML13, "MA_LK", "L1", TRUE, "(XML13)", "MA_LOAI_RV 2 or 5" },
		{ NHIP_XML130_TABLE_XML1, "MA_LOAI_RV", "5", FALSE, "HOSO[1]", "no XML13" },
		{ NHIP_XML130_TABLE_XML14, "NGAY_HEN_KL", "20240304", TRUE,
		  "CHI_TIEU_GIAYHEN_KHAMLAI/NGAY_HEN_KL", "before NGAY_RA" },
		{ NHIP_XML130_TABLE_XML14, "NGAY_CT", "20240304", TRUE,
		  "CHI_TIEU_GIAYHEN_KHAMLAI/NGAY_CT", "before NGAY_VAO" },
		{ NHIP_XML130_TABLE_XML14, "HO_TEN", "Nguyễn Thị Dao", TRUE,
		  "CHI_TIEU_GIAYHEN_KHAMLAI/HO_TEN", "XML1 has “Nguyễn Thị Đào”" },
		{ NHIP_XML130_TABLE_XML4, "NGAY_KQ", "", TRUE, "CHI_TIET_CLS[1]/NGAY_KQ",
		  "GIA_TRI holds a result" },
	};

	run_field_cases(NHIP_XML130_PROFILE_3176, cases, G_N_ELEMENTS(cases));

	/* STT must run 1, 2, 3 */
	{
		g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
		g_autoptr(GPtrArray) violations = NULL;
		sample->n_rows[NHIP_XML130_TABLE_XML3] = 2;
		set(sample->rows[NHIP_XML130_TABLE_XML1], "T_TONGCHI_BV", "77400");
		set(sample->rows[NHIP_XML130_TABLE_XML1], "T_TONGCHI_BH", "77400");
		set(sample->rows[NHIP_XML130_TABLE_XML1], "T_BHTT", "77400");
		set(sample->rows[NHIP_XML130_TABLE_XML1], "T_BHTT_GDV", "77400");
		violations = validate_sample(sample);
		assert_clean(violations);
		g_ptr_array_unref(g_steal_pointer(&violations));
		set(sample->rows[NHIP_XML130_TABLE_XML3], "STT", "2");
		violations = validate_sample(sample);
		EXPECT_ERROR(violations, "CHI_TIET_DVKT[1]/STT", "expected 1");
	}
}

/* ----- the CSST string ----- */

static void
test_csst(void)
{
	struct {
		const gchar *text;
		gboolean ok;
		guint n_warnings;
		const gchar *fragment;
	} cases[] = {
		{ "CSST<M75_T37_HA120/70_NT18_HL2>", TRUE, 0, NULL },
		{ "Tỉnh, tiếp xúc tốt. CSST<M98_T38.5_SP95> Uống nhiều nước.", TRUE, 0, NULL },
		{ "Không sốt, ăn uống được", TRUE, 0, NULL },
		/* the official example has a stray space */
		{ "CSST<M75_T37_HA120/70_ NT18_HL2>", TRUE, 1, "spaces" },
		{ "CSST<M75_CN60>", TRUE, 1, "CN" },
		{ "CSST<M75_T37_HA120-70>", FALSE, 0, "SYS/DIA" },
		{ "CSST<HA70/120>", FALSE, 0, "systolic above diastolic" },
		{ "CSST<M7a>", FALSE, 0, "whole number" },
		{ "CSST<M75.5>", FALSE, 0, "whole number" },
		{ "CSST<T37,5>", FALSE, 0, "“.” for decimals" },
		{ "CSST<T50>", FALSE, 0, "outside 30–45" },
		{ "CSST<SP101>", FALSE, 0, "outside 50–100" },
		{ "CSST<HL4>", FALSE, 0, "outside 1–3" },
		{ "CSST<NT>", FALSE, 0, "no value" },
		{ "CSST<75>", FALSE, 0, "does not start with a key" },
		{ "CSST<>", FALSE, 0, "empty" },
		{ "CSST<M75_T37", FALSE, 0, "no closing" },
		{ "CSST M75", FALSE, 0, "followed by" },
		{ "CSST<M75_M80>", FALSE, 0, "appears twice" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
		gboolean ok = nhip_xml130_csst_check(cases[i].text, problems, warnings);
		const gchar *message = NULL;

		if (ok != cases[i].ok || warnings->len != cases[i].n_warnings)
			g_error("“%s”: ok %d, %u warnings", cases[i].text, ok, warnings->len);
		if (!ok)
			message = problems->pdata[0];
		else if (warnings->len > 0)
			message = warnings->pdata[0];
		if (cases[i].fragment != NULL && strstr(message, cases[i].fragment) == NULL)
			g_error("“%s”: %s", cases[i].text, message);
	}
	/* and inside a document */
	{
		g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
		g_autoptr(GPtrArray) violations = NULL;
		set(sample->rows[NHIP_XML130_TABLE_XML1], "MA_LOAI_KCB", "06");
		set(sample->rows[NHIP_XML130_TABLE_XML1], "SO_NGAY_DTRI", "1");
		sample_add(sample, NHIP_XML130_TABLE_XML5);
		set(sample->rows[NHIP_XML130_TABLE_XML5], "DIEN_BIEN_LS", "CSST<M75_T47>");
		violations = validate_sample(sample);
		EXPECT_ERROR(violations, "CHI_TIET_DIEN_BIEN_BENH[1]/DIEN_BIEN_LS", "temperature");
	}
}

/* ----- the check-in document ----- */

static void
test_checkin(void)
{
	const struct {
		const gchar *field;
		const gchar *value;
		const gchar *path;
		const gchar *fragment;
	} cases[] = {
		{ "MA_DOITUONG_KCB", "2", "TRANG_THAI_KCB[1]/MA_DOITUONG_KCB", "emergencies" },
		{ "MA_DICH_VU", "", "TRANG_THAI_KCB[1]/MA_DICH_VU", "first charge" },
		{ "NGAY_VAO_NOI_TRU", "202403050900", "TRANG_THAI_KCB[1]/LY_DO_VNT",
		  "NGAY_VAO_NOI_TRU is set" },
		{ "TEN_DICH_VU", "", "TRANG_THAI_KCB[1]/TEN_DICH_VU", "MA_DICH_VU is set" },
		{ "MA_THE_BHYT", "GD46601234567890", "TRANG_THAI_KCB[1]/MA_THE_BHYT",
		  "at most 15" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
		g_autofree gchar *text = NULL;
		g_autoptr(GPtrArray) violations = NULL;
		sample_add(sample, NHIP_XML130_TABLE_CHECKIN);
		set(sample->rows[NHIP_XML130_TABLE_CHECKIN], cases[i].field, cases[i].value);
		text = table_xml(sample, NHIP_XML130_TABLE_CHECKIN);
		violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		EXPECT_ERROR(violations, cases[i].path, cases[i].fragment);
		g_assert_true(g_str_has_prefix(((NhipXml130Violation *)violations->pdata[0])->path,
					       "CHI_TIEU_TRANG_THAI_KCB/DSACH_TRANG_THAI_KCB/"));
	}
	{
		g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
		g_autofree gchar *text = NULL;
		g_autoptr(GPtrArray) violations = NULL;
		gchar *at;
		sample_add(sample, NHIP_XML130_TABLE_CHECKIN);
		text = table_xml(sample, NHIP_XML130_TABLE_CHECKIN);
		at = strstr(text, "<CHUKYDONVI/>");
		memmove(at, at + strlen("<CHUKYDONVI/>"), strlen(at + strlen("<CHUKYDONVI/>")) + 1);
		violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		EXPECT_ERROR(violations, "CHI_TIEU_TRANG_THAI_KCB/CHUKYDONVI", "missing");
	}
}

/* ----- hostile input ----- */

static void
test_malformed(void)
{
	g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
	g_autofree gchar *good = envelope(sample);
	const gchar *billion_laughs =
		"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
		"<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
		"<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
		"<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
		"<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
		"<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
		"<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">"
		"]><GIAMDINHHS>&lol9;</GIAMDINHHS>";
	const gchar *xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY f SYSTEM "
			   "\"file:///etc/passwd\">]><TONG_HOP><HO_TEN>&f;</HO_TEN></TONG_HOP>";
	struct {
		const gchar *text;
		gssize length;
		const gchar *fragment;
	} cases[] = {
		{ "", 0, "empty" },
		{ "Đây không phải XML", -1, "not well-formed" },
		{ good, (gssize)strlen(good) / 2, "not well-formed" },
		{ "<?xml version=\"1.0\"?><HOSO/>", -1, "GIAMDINHHS envelope" },
		{ "<GIAMDINHHS><THONGTINDONVI>", -1, "not well-formed" },
		{ "<GIAMDINHHS>\xff\xfe</GIAMDINHHS>", -1, "not UTF-8" },
		{ "\xff\xfe<\0G\0", 6, "not UTF-8" },
		{ billion_laughs, -1, "DOCTYPE" },
		{ xxe, -1, "DOCTYPE" },
		{ "<GIAMDINHHS>&lt;&#0;</GIAMDINHHS>", -1, "not well-formed" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		gsize length =
			cases[i].length >= 0 ? (gsize)cases[i].length : strlen(cases[i].text);
		g_autoptr(GPtrArray) violations = nhip_xml130_validate(
			(const guint8 *)cases[i].text, length, NHIP_XML130_PROFILE_4750, NULL);
		EXPECT_ERROR(violations, "/", cases[i].fragment);
	}

	/* an entity bomb inside a table is refused the same way */
	{
		g_autofree gchar *file = file_xml("XML1", billion_laughs);
		g_autofree gchar *files = g_strdup_printf("<HOSO>%s</HOSO>", file);
		g_autofree gchar *text = envelope_of(files, 1);
		g_autoptr(GPtrArray) violations = validate_text(text, NHIP_XML130_PROFILE_4750);
		EXPECT_ERROR(violations, "FILEHOSO[1](XML1)", "DOCTYPE");
	}
	/* nesting deeper than the parser allows */
	{
		GString *deep = g_string_new("<GIAMDINHHS>");
		g_autoptr(GPtrArray) violations = NULL;
		for (guint i = 0; i < 100000; i++)
			g_string_append(deep, "<a>");
		violations = nhip_xml130_validate((const guint8 *)deep->str, deep->len,
						  NHIP_XML130_PROFILE_4750, NULL);
		EXPECT_ERROR(violations, "/", "not well-formed");
		g_string_free(deep, TRUE);
	}
	/* a 12 MB name (more than libxml2 keeps in a text node by default) is read and
	 * refused for its size; under a 4 MB table limit the table is not even decoded */
	{
		g_autoptr(Sample) big = sample_new(NHIP_XML130_PROFILE_4750);
		g_autofree gchar *huge = g_strnfill(12 * 1024 * 1024, 'a');
		g_autofree gchar *text = NULL;
		NhipXml130Limits limits = { 0, 4 * 1024 * 1024, 0, 0 };
		g_autoptr(GPtrArray) violations = NULL;
		g_autoptr(GPtrArray) violations2 = NULL;
		set(big->rows[NHIP_XML130_TABLE_XML1], "HO_TEN", huge);
		violations = validate_sample(big);
		EXPECT_ERROR(violations, "TONG_HOP/HO_TEN", "has 12582912 characters");
		text = envelope(big);
		violations2 = nhip_xml130_validate((const guint8 *)text, strlen(text),
						   NHIP_XML130_PROFILE_4750, &limits);
		EXPECT_ERROR(violations2, "FILEHOSO[1](XML1)", "larger than the limit");
	}
}

static void
test_limits(void)
{
	g_autoptr(Sample) sample = sample_new(NHIP_XML130_PROFILE_4750);
	g_autofree gchar *good = envelope(sample);
	g_autofree gchar *hoso = hoso_xml(sample);

	{
		NhipXml130Limits limits = { 1000, 0, 0, 0 };
		g_autoptr(GPtrArray) violations = nhip_xml130_validate(
			(const guint8 *)good, strlen(good), NHIP_XML130_PROFILE_4750, &limits);
		EXPECT_ERROR(violations, "/", "the limit is 1000");
	}
	{
		NhipXml130Limits limits = { 0, 500, 0, 0 };
		g_autoptr(GPtrArray) violations = nhip_xml130_validate(
			(const guint8 *)good, strlen(good), NHIP_XML130_PROFILE_4750, &limits);
		EXPECT_ERROR(violations, "FILEHOSO[1](XML1)", "limit of 500 bytes");
	}
	{
		NhipXml130Limits limits = { 0, 0, 2, 0 };
		g_autofree gchar *three = g_strconcat(hoso, hoso, hoso, NULL);
		g_autofree gchar *text = envelope_of(three, 3);
		g_autoptr(GPtrArray) violations = nhip_xml130_validate(
			(const guint8 *)text, strlen(text), NHIP_XML130_PROFILE_4750, &limits);
		EXPECT_ERROR(violations, "DANHSACHHOSO", "more than 2 HOSO");
	}
	{
		NhipXml130Limits limits = { 0, 0, 0, 5 };
		g_autoptr(Sample) bad = sample_new(NHIP_XML130_PROFILE_4750);
		g_autoptr(GPtrArray) violations = NULL;
		g_autofree gchar *text = NULL;
		const gchar *fields[] = { "GIOI_TINH", "MA_BN",	   "NGAY_VAO", "NGAY_RA",
					  "MA_LK",     "CAN_NANG", "MA_KHOA",  "NAM_QT" };
		for (guint i = 0; i < G_N_ELEMENTS(fields); i++)
			set(bad->rows[NHIP_XML130_TABLE_XML1], fields[i], "");
		text = envelope(bad);
		violations = nhip_xml130_validate((const guint8 *)text, strlen(text),
						  NHIP_XML130_PROFILE_4750, &limits);
		g_assert_cmpuint(violations->len, ==, 6);
		EXPECT_ERROR(violations, "", "stopped after 5");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/xml130/validate/valid/4750",
			     GINT_TO_POINTER(NHIP_XML130_PROFILE_4750), test_valid);
	g_test_add_data_func("/xml130/validate/valid/3176",
			     GINT_TO_POINTER(NHIP_XML130_PROFILE_3176), test_valid);
	g_test_add_func("/xml130/validate/envelope", test_envelope);
	g_test_add_func("/xml130/validate/fields", test_fields);
	g_test_add_func("/xml130/validate/links", test_links);
	g_test_add_func("/xml130/validate/csst", test_csst);
	g_test_add_func("/xml130/validate/checkin", test_checkin);
	g_test_add_func("/xml130/validate/malformed", test_malformed);
	g_test_add_func("/xml130/validate/limits", test_limits);
	return g_test_run();
}
