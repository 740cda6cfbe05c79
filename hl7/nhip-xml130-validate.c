/*
 * Nhịp — the QĐ 130 XML validator.
 *
 * Parsing is done by libxml2 with the network off and no DTD at all: a document that
 * carries a DOCTYPE is refused before it is parsed, so no entity (external or a "billion
 * laughs" chain) is ever expanded. Input must be UTF-8; sizes are checked before any
 * decoding, base64 is decoded strictly, and the violation list is bounded.
 *
 * Decisions where the spec is uncertain are written down in README-xml130.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "nhip-xml130-validate.h"

#define XMLDSIG_NS "http://www.w3.org/2000/09/xmldsig#"

/* money totals may differ by rounding (the QĐ 130 main text on rounding is not known) */
#define TOTAL_TOLERANCE 1.0

#define ROOT_ENVELOPE "GIAMDINHHS"
#define PATH_HOSO     "GIAMDINHHS/THONGTINHOSO/DANHSACHHOSO/HOSO"

/* what a field's value must look like beyond its type and size */
typedef enum {
	KIND_NONE,
	KIND_DATETIME,	   /* yyyyMMddHHmm */
	KIND_DATE,	   /* yyyyMMdd */
	KIND_DATE_BY_SIZE, /* yyyyMMdd when the size is 8, else yyyyMMddHHmm */
	KIND_DATE_LIST,	   /* yyyyMMdd;yyyyMMdd */
	KIND_BIRTH,	   /* yyyyMMddHHmm with 00 for an unknown month, day or time */
	KIND_CODE,	   /* one of a list of codes */
	KIND_RANGE,	   /* a whole number in [lo, hi] */
	KIND_ICD,	   /* one ICD-10 code */
	KIND_ICD_LIST,	   /* ICD-10 codes separated by ';', at most hi of them */
	KIND_CARD_LIST,	   /* BHYT card numbers separated by ';' */
	KIND_CCCD,	   /* ID card, old CMND or passport number */
	KIND_FACILITY,	   /* a 5-character facility code */
	KIND_FACILITY_LIST,
	KIND_DIGITS, /* digits only, leading zeros kept */
	KIND_CATEGORY,
	KIND_WEIGHT,
	KIND_CSST,
	KIND_STT,
	KIND_AMOUNT, /* money or a quantity: not negative */
} FieldKind;

typedef struct {
	const gchar *name;
	FieldKind kind;
	gint lo;
	gint hi;
	const gchar *codes; /* KIND_CODE: codes separated by '|' */
} FieldRule;

static const FieldRule field_rules[] = {
	{ "NGAY_VAO", KIND_DATETIME, 0, 0, NULL },
	{ "NGAY_VAO_NOI_TRU", KIND_DATETIME, 0, 0, NULL },
	{ "NGAY_RA", KIND_DATETIME, 0, 0, NULL },
	{ "NGAY_TTOAN", KIND_DATETIME, 0, 0, NULL },
	{ "NGAY_YL", KIND_DATETIME, 0, 0, NULL },
	{ "NGAY_TH_YL", KIND_DATETIME, 0, 0, NULL },
	{ "NGAY_KQ", KIND_DATETIME, 0, 0, NULL },
	{ "THOI_DIEM_DBLS", KIND_DATETIME, 0, 0, NULL },
	{ "NGAY_HEN_KL", KIND_DATE_BY_SIZE, 0, 0, NULL },
	{ "NGAY_MIEN_CCT", KIND_DATE_BY_SIZE, 0, 0, NULL },
	{ "NGAY_CT", KIND_DATE, 0, 0, NULL },
	{ "NAM_NAM_LIEN_TUC", KIND_DATE, 0, 0, NULL },
	{ "GT_THE_TU", KIND_DATE_LIST, 0, 0, NULL },
	{ "GT_THE_DEN", KIND_DATE_LIST, 0, 0, NULL },
	{ "NGAY_TAI_KHAM", KIND_DATE_LIST, 0, 0, NULL },
	{ "NGAY_SINH", KIND_BIRTH, 0, 0, NULL },
	{ "GIOI_TINH", KIND_RANGE, 1, 3, NULL },
	{ "KET_QUA_DTRI", KIND_RANGE, 1, 8, NULL },
	{ "MA_LOAI_RV", KIND_RANGE, 1, 5, NULL },
	{ "MA_LYDO_CT", KIND_RANGE, 1, 3, NULL },
	{ "PHAM_VI", KIND_RANGE, 1, 3, NULL },
	{ "MA_PTTT", KIND_RANGE, 1, 3, NULL },
	{ "MA_NHOM", KIND_RANGE, 1, 19, NULL },
	{ "MUC_HUONG", KIND_RANGE, 0, 100, NULL },
	{ "TYLE_TT_BH", KIND_RANGE, 0, 100, NULL },
	{ "TYLE_TT_DV", KIND_RANGE, 0, 100, NULL },
	{ "SO_NGAY_DTRI", KIND_RANGE, 0, 999, NULL },
	{ "NAM_QT", KIND_RANGE, 2000, 2100, NULL },
	{ "THANG_QT", KIND_RANGE, 1, 12, NULL },
	{ "MA_LOAI_KCB", KIND_CODE, 0, 0, "01|02|03|04|05|06|07|08|09|10" },
	{ "MA_KHUVUC", KIND_CODE, 0, 0, "K1|K2|K3" },
	{ "MA_BENH_CHINH", KIND_ICD, 0, 0, NULL },
	{ "MA_BENH_KT", KIND_ICD_LIST, 0, 12, NULL },
	{ "MA_BENH", KIND_ICD_LIST, 0, 13, NULL },
	{ "MA_THE_BHYT", KIND_CARD_LIST, 0, 0, NULL },
	{ "SO_CCCD", KIND_CCCD, 0, 0, NULL },
	{ "MA_CSKCB", KIND_FACILITY, 0, 0, NULL },
	{ "MA_NOI_DEN", KIND_FACILITY, 0, 0, NULL },
	{ "MA_NOI_DI", KIND_FACILITY_LIST, 0, 0, NULL },
	{ "MA_DKBD", KIND_FACILITY_LIST, 0, 0, NULL },
	{ "MA_DANTOC", KIND_RANGE, 1, 56, NULL },
	{ "MA_QUOCTICH", KIND_DIGITS, 0, 0, NULL },
	{ "MA_NGHE_NGHIEP", KIND_DIGITS, 0, 0, NULL },
	{ "MATINH_CU_TRU", KIND_DIGITS, 0, 0, NULL },
	{ "MAHUYEN_CU_TRU", KIND_DIGITS, 0, 0, NULL },
	{ "MAXA_CU_TRU", KIND_DIGITS, 0, 0, NULL },
	{ "MA_DOITUONG_KCB", KIND_CATEGORY, 0, 0, NULL },
	{ "CAN_NANG", KIND_WEIGHT, 0, 0, NULL },
	{ "DIEN_BIEN_LS", KIND_CSST, 0, 0, NULL },
	{ "STT", KIND_STT, 0, 0, NULL },
	{ "SO_LUONG", KIND_AMOUNT, 0, 0, NULL },
	{ "DON_GIA_BV", KIND_AMOUNT, 0, 0, NULL },
	{ "DON_GIA_BH", KIND_AMOUNT, 0, 0, NULL },
	{ "THANH_TIEN_BV", KIND_AMOUNT, 0, 0, NULL },
	{ "THANH_TIEN_BH", KIND_AMOUNT, 0, 0, NULL },
	{ "T_TONGCHI_BV", KIND_AMOUNT, 0, 0, NULL },
	{ "T_TONGCHI_BH", KIND_AMOUNT, 0, 0, NULL },
	{ "T_BHTT", KIND_AMOUNT, 0, 0, NULL },
	{ "T_BNCCT", KIND_AMOUNT, 0, 0, NULL },
	{ "T_BNTT", KIND_AMOUNT, 0, 0, NULL },
};

/* fields of XML13 and XML14 that repeat XML1 and must then say the same */
static const gchar *const repeated_fields[] = {
	"MA_CSKCB",    "HO_TEN",       "NGAY_SINH",	  "GIOI_TINH",	 "DIA_CHI",
	"MA_THE_BHYT", "GT_THE_DEN",   "NGAY_VAO",	  "NGAY_RA",	 "MA_BENH_CHINH",
	"MA_BENH_KT",  "CHAN_DOAN_RV", "MA_DOITUONG_KCB", "MA_QUOCTICH", "MA_DANTOC",
};

/* care types for which XML5 (clinical course) is expected */
static const gchar *const care_types_with_xml5 = "02|03|04|05|06|08|09";

static GHashTable *
rules_table(void)
{
	static gsize once = 0;
	static GHashTable *table = NULL;

	if (g_once_init_enter(&once)) {
		GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);
		for (guint i = 0; i < G_N_ELEMENTS(field_rules); i++)
			g_hash_table_insert(t, (gpointer)field_rules[i].name,
					    (gpointer)&field_rules[i]);
		table = t;
		g_once_init_leave(&once, 1);
	}
	return table;
}

static const FieldRule *
rule_for(const gchar *name)
{
	return g_hash_table_lookup(rules_table(), name);
}

/* ----- the list of problems ----- */

typedef struct {
	NhipXml130Profile profile;
	NhipXml130Limits limits;
	GPtrArray *out;
	gboolean full;
	gchar *facility; /* MACSKCB of the envelope */
} Validator;

/**
 * nhip_xml130_violation_free:
 * @violation: (nullable): a violation
 */
void
nhip_xml130_violation_free(NhipXml130Violation *violation)
{
	if (violation == NULL)
		return;
	g_free(violation->path);
	g_free(violation->message);
	g_free(violation);
}

static void
report_literal(Validator *v, NhipXml130Severity severity, const gchar *path, gchar *message)
{
	NhipXml130Violation *violation;

	if (v->full) {
		g_free(message);
		return;
	}
	if (v->out == NULL)
		v->out = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_xml130_violation_free);
	violation = g_new0(NhipXml130Violation, 1);
	violation->severity = severity;
	violation->path = g_strdup(path);
	violation->message = message;
	g_ptr_array_add(v->out, violation);
	if (v->limits.max_violations > 0 && v->out->len >= v->limits.max_violations) {
		NhipXml130Violation *last = g_new0(NhipXml130Violation, 1);
		last->severity = NHIP_XML130_SEVERITY_ERROR;
		last->path = g_strdup(path);
		last->message =
			g_strdup_printf(_("too many problems; the check stopped after %u of them"),
					v->limits.max_violations);
		g_ptr_array_add(v->out, last);
		v->full = TRUE;
	}
}

static void
report(Validator *v, NhipXml130Severity severity, const gchar *path, const gchar *format, ...)
	G_GNUC_PRINTF(4, 5);

static void
report(Validator *v, NhipXml130Severity severity, const gchar *path, const gchar *format, ...)
{
	va_list args;
	gchar *message;

	if (v->full)
		return;
	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	report_literal(v, severity, path, message);
}

#define ERROR(v, path, ...) report((v), NHIP_XML130_SEVERITY_ERROR, (path), __VA_ARGS__)
#define WARN(v, path, ...)  report((v), NHIP_XML130_SEVERITY_WARNING, (path), __VA_ARGS__)

/* ----- small parsers ----- */

static gboolean
all_digits(const gchar *text, gsize n)
{
	gsize i;
	for (i = 0; i < n && text[i] != '\0'; i++) {
		if (!g_ascii_isdigit(text[i]))
			return FALSE;
	}
	return i == n && text[i] == '\0';
}

static gint
digits_value(const gchar *text, guint start, guint n)
{
	gint value = 0;
	for (guint i = start; i < start + n; i++)
		value = value * 10 + (text[i] - '0');
	return value;
}

/* yyyyMMdd as a number, or -1 */
static gint64
parse_date8(const gchar *text)
{
	gint y, m, d;

	if (!all_digits(text, 8))
		return -1;
	y = digits_value(text, 0, 4);
	m = digits_value(text, 4, 2);
	d = digits_value(text, 6, 2);
	if (y < 1900 || y > 2100 || !g_date_valid_dmy(d, m, y))
		return -1;
	return (gint64)y * 10000 + m * 100 + d;
}

/* yyyyMMddHHmm as a number, or -1 */
static gint64
parse_datetime12(const gchar *text)
{
	g_autofree gchar *date = NULL;
	gint64 day;
	gint hh, mm;

	if (!all_digits(text, 12))
		return -1;
	date = g_strndup(text, 8);
	day = parse_date8(date);
	hh = digits_value(text, 8, 2);
	mm = digits_value(text, 10, 2);
	if (day < 0 || hh > 23 || mm > 59)
		return -1;
	return day * 10000 + hh * 100 + mm;
}

static gboolean
parse_birth(const gchar *text)
{
	gint y, m, d, hh, mm;

	if (!all_digits(text, 12))
		return FALSE;
	y = digits_value(text, 0, 4);
	m = digits_value(text, 4, 2);
	d = digits_value(text, 6, 2);
	hh = digits_value(text, 8, 2);
	mm = digits_value(text, 10, 2);
	if (y < 1850 || y > 2100 || m > 12 || hh > 23 || mm > 59)
		return FALSE;
	if (m == 0)
		return d == 0;
	if (d == 0)
		return TRUE;
	return g_date_valid_dmy(d, m, y);
}

static gboolean
parse_number(const gchar *text, gdouble *value)
{
	const gchar *p = text;

	if (*p == '-')
		p++;
	if (!g_ascii_isdigit(*p))
		return FALSE;
	while (g_ascii_isdigit(*p))
		p++;
	if (*p == '.') {
		p++;
		if (!g_ascii_isdigit(*p))
			return FALSE;
		while (g_ascii_isdigit(*p))
			p++;
	}
	if (*p != '\0')
		return FALSE;
	if (value != NULL)
		*value = g_ascii_strtod(text, NULL);
	return TRUE;
}

static gboolean
icd10_ok(const gchar *code)
{
	gsize n = strlen(code);

	/* a letter, two digits, then optionally a dot and one or two characters
	 * (digits, or the letters some national extensions use) */
	if (n < 3 || !g_ascii_isupper(code[0]) || !g_ascii_isdigit(code[1]) ||
	    !(g_ascii_isdigit(code[2]) || code[2] == 'A' || code[2] == 'B'))
		return FALSE;
	if (n == 3)
		return TRUE;
	if (code[3] != '.' || n < 5 || n > 6)
		return FALSE;
	for (gsize i = 4; i < n; i++) {
		if (!g_ascii_isalnum(code[i]))
			return FALSE;
	}
	return TRUE;
}

static gboolean
card_ok(const gchar *card)
{
	return strlen(card) == 15 && g_ascii_isupper(card[0]) && g_ascii_isupper(card[1]) &&
	       all_digits(card + 2, 13);
}

static gboolean
cccd_ok(const gchar *text, NhipXml130Profile profile)
{
	gsize n = strlen(text);

	if (all_digits(text, n) && (n == 9 || n == 12))
		return TRUE;
	if (n == 8 && g_ascii_isupper(text[0]) && all_digits(text + 1, 7))
		return TRUE;
	/* 3176 also allows other passports and the e-ID account code */
	if (profile == NHIP_XML130_PROFILE_3176 && n >= 6) {
		for (gsize i = 0; i < n; i++) {
			if (!g_ascii_isalnum(text[i]))
				return FALSE;
		}
		return TRUE;
	}
	return FALSE;
}

static gboolean
facility_ok(const gchar *code)
{
	if (strlen(code) != 5)
		return FALSE;
	for (guint i = 0; i < 5; i++) {
		if (!g_ascii_isalnum(code[i]))
			return FALSE;
	}
	return TRUE;
}

static gboolean
code_in(const gchar *codes, const gchar *value)
{
	gsize n = strlen(value);
	const gchar *p = codes;

	if (n == 0)
		return FALSE;
	while (p != NULL && *p != '\0') {
		const gchar *bar = strchr(p, '|');
		gsize len = bar != NULL ? (gsize)(bar - p) : strlen(p);
		if (len == n && strncmp(p, value, n) == 0)
			return TRUE;
		p = bar != NULL ? bar + 1 : NULL;
	}
	return FALSE;
}

/* ----- the CSST vital-signs string ----- */

typedef struct {
	const gchar *key;
	gdouble lo;
	gdouble hi;
	gboolean whole;
	const gchar *what;
} CsstKey;

static const CsstKey csst_keys[] = {
	{ "M", 20, 300, TRUE, N_("pulse") },
	{ "T", 30, 45, FALSE, N_("temperature") },
	{ "NT", 4, 80, TRUE, N_("respiratory rate") },
	{ "SP", 50, 100, FALSE, N_("SpO2") },
	{ "HL", 1, 3, TRUE, N_("nursing-care level") },
};

static void
csst_add(GPtrArray *list, gchar *message)
{
	if (list != NULL)
		g_ptr_array_add(list, message);
	else
		g_free(message);
}

static gboolean
csst_check_item(const gchar *item, GPtrArray *problems, GPtrArray *warnings)
{
	gsize key_len = 0;
	g_autofree gchar *key = NULL;
	const gchar *value;

	while (g_ascii_isupper(item[key_len]))
		key_len++;
	key = g_strndup(item, key_len);
	value = item + key_len;
	if (key_len == 0) {
		csst_add(problems,
			 g_strdup_printf(_("the CSST item “%s” does not start with a key such as "
					   "M, T, HA, NT, SP or HL"),
					 item));
		return FALSE;
	}
	if (*value == '\0') {
		csst_add(problems, g_strdup_printf(_("the CSST key %s has no value"), key));
		return FALSE;
	}
	if (g_strcmp0(key, "HA") == 0) {
		g_auto(GStrv) parts = g_strsplit(value, "/", -1);
		gdouble sys = 0, dia = 0;
		if (g_strv_length(parts) != 2 || !all_digits(parts[0], strlen(parts[0])) ||
		    !all_digits(parts[1], strlen(parts[1])) || !parse_number(parts[0], &sys) ||
		    !parse_number(parts[1], &dia)) {
			csst_add(problems,
				 g_strdup_printf(_("the blood pressure HA%s must be two whole "
						   "numbers SYS/DIA, e.g. HA120/70"),
						 value));
			return FALSE;
		}
		if (sys < 40 || sys > 300 || dia < 20 || dia > 200 || sys <= dia) {
			csst_add(problems,
				 g_strdup_printf(_("the blood pressure HA%s is not possible "
						   "(systolic 40–300, diastolic 20–200 mmHg, "
						   "systolic above diastolic)"),
						 value));
			return FALSE;
		}
		return TRUE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(csst_keys); i++) {
		gdouble number = 0;
		if (g_strcmp0(key, csst_keys[i].key) != 0)
			continue;
		if (!parse_number(value, &number) || value[0] == '-' ||
		    (csst_keys[i].whole && strchr(value, '.') != NULL)) {
			csst_add(problems,
				 g_strdup_printf(csst_keys[i].whole
							 ? _("the %s %s%s must be a whole number")
							 : _("the %s %s%s must be a number with a "
							     "“.” for decimals"),
						 _(csst_keys[i].what), key, value));
			return FALSE;
		}
		if (number < csst_keys[i].lo || number > csst_keys[i].hi) {
			csst_add(problems, g_strdup_printf(_("the %s %s%s is outside %g–%g"),
							   _(csst_keys[i].what), key, value,
							   csst_keys[i].lo, csst_keys[i].hi));
			return FALSE;
		}
		return TRUE;
	}
	csst_add(warnings,
		 g_strdup_printf(_("the CSST key %s is not one of M, T, HA, NT, SP, HL"), key));
	return TRUE;
}

/**
 * nhip_xml130_csst_check:
 * @text: a DIEN_BIEN_LS value
 * @problems: (element-type utf8) (nullable): messages of errors are added here
 * @warnings: (element-type utf8) (nullable): messages of warnings are added here
 *
 * Checks each `CSST<…>` group of @text: `_`-separated items of a key (M pulse, T
 * temperature, HA blood pressure SYS/DIA, NT respiratory rate, SP SpO2, HL care level)
 * and a value in range. Unknown keys and spaces are warnings.
 *
 * Returns: %TRUE when there is no error (text without a CSST group is fine)
 */
gboolean
nhip_xml130_csst_check(const gchar *text, GPtrArray *problems, GPtrArray *warnings)
{
	const gchar *p = text;
	gboolean ok = TRUE;

	while ((p = strstr(p, "CSST")) != NULL) {
		const gchar *open = p + 4;
		const gchar *close;
		g_autofree gchar *body = NULL;
		g_auto(GStrv) items = NULL;
		g_autoptr(GHashTable) seen = NULL;

		if (*open != '<') {
			csst_add(problems, g_strdup(_("“CSST” must be followed by “<”, e.g. "
						      "CSST<M75_T37_HA120/70_NT18>")));
			return FALSE;
		}
		close = strchr(open, '>');
		if (close == NULL) {
			csst_add(problems, g_strdup(_("the CSST group has no closing “>”")));
			return FALSE;
		}
		body = g_strndup(open + 1, close - open - 1);
		if (body[0] == '\0') {
			csst_add(problems, g_strdup(_("the CSST group is empty")));
			ok = FALSE;
		}
		if (strpbrk(body, " \t\r\n") != NULL)
			csst_add(warnings, g_strdup(_("the CSST group contains spaces; write the "
						      "items without them")));
		seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		items = g_strsplit(body, "_", -1);
		for (guint i = 0; body[0] != '\0' && items[i] != NULL; i++) {
			g_autofree gchar *item = g_strstrip(g_strdup(items[i]));
			gsize key_len = 0;
			g_autofree gchar *key = NULL;

			while (g_ascii_isupper(item[key_len]))
				key_len++;
			key = g_strndup(item, key_len);
			if (key_len > 0 && g_hash_table_contains(seen, key)) {
				csst_add(problems,
					 g_strdup_printf(_("the CSST key %s appears twice"), key));
				ok = FALSE;
				continue;
			}
			g_hash_table_add(seen, g_steal_pointer(&key));
			if (!csst_check_item(item, problems, warnings))
				ok = FALSE;
		}
		p = close + 1;
	}
	return ok;
}

/* ----- one field ----- */

static void
check_list(Validator *v,
	   const gchar *path,
	   const gchar *value,
	   gboolean (*item_ok)(const gchar *),
	   guint max_items,
	   const gchar *what)
{
	g_auto(GStrv) items = g_strsplit(value, ";", -1);
	guint n = g_strv_length(items);

	if (max_items > 0 && n > max_items)
		ERROR(v, path, _("holds %u codes; at most %u are allowed"), n, max_items);
	for (guint i = 0; i < n; i++) {
		if (!item_ok(items[i])) {
			ERROR(v, path,
			      _("“%s” is not %s (items are separated by “;” without spaces)"),
			      items[i], what);
			return;
		}
	}
}

static gboolean
date8_ok(const gchar *text)
{
	return parse_date8(text) >= 0;
}

static void
check_field(Validator *v, const NhipXml130Field *field, const gchar *path, const gchar *value)
{
	const FieldRule *rule;
	glong chars;

	if (value[0] == '\0') {
		if (field->required)
			ERROR(v, path, _("is required but empty"));
		return;
	}
	chars = g_utf8_strlen(value, -1);
	if (field->max_chars > 0 && chars > (glong)field->max_chars)
		ERROR(v, path, _("has %ld characters; QĐ %s allows at most %u"), chars,
		      nhip_xml130_profile_to_string(v->profile), field->max_chars);
	if (field->type == NHIP_XML130_TYPE_NUMBER && !parse_number(value, NULL)) {
		ERROR(v, path, _("“%s” is not a number (digits, “.” for decimals, no spaces)"),
		      value);
		return;
	}
	rule = rule_for(field->name);
	if (rule == NULL)
		return;
	switch (rule->kind) {
	case KIND_DATETIME:
		if (parse_datetime12(value) < 0)
			ERROR(v, path, _("“%s” is not a date and time yyyyMMddHHmm (12 digits)"),
			      value);
		break;
	case KIND_DATE:
		if (parse_date8(value) < 0)
			ERROR(v, path, _("“%s” is not a date yyyyMMdd (8 digits)"), value);
		break;
	case KIND_DATE_BY_SIZE:
		if (field->max_chars == 8 && parse_date8(value) < 0)
			ERROR(v, path, _("“%s” is not a date yyyyMMdd (8 digits)"), value);
		else if (field->max_chars != 8 && parse_date8(value) < 0 &&
			 parse_datetime12(value) < 0)
			ERROR(v, path,
			      _("“%s” is not a date yyyyMMdd or a date and time yyyyMMddHHmm"),
			      value);
		break;
	case KIND_DATE_LIST:
		check_list(v, path, value, date8_ok, 0, _("a date yyyyMMdd"));
		break;
	case KIND_BIRTH:
		if (!parse_birth(value))
			ERROR(v, path,
			      _("“%s” is not a birth date yyyyMMddHHmm (12 digits; 00 for an "
				"unknown month, day, hour or minute)"),
			      value);
		break;
	case KIND_CODE:
		if (!code_in(rule->codes, value)) {
			g_autofree gchar *codes = g_strdup(rule->codes);
			g_strdelimit(codes, "|", ' ');
			ERROR(v, path, _("“%s” is not one of the codes %s"), value, codes);
		}
		break;
	case KIND_RANGE: {
		gdouble number = 0;
		if (!all_digits(value, strlen(value)) || !parse_number(value, &number) ||
		    number < rule->lo || number > rule->hi)
			ERROR(v, path, _("“%s” is not a code between %d and %d"), value, rule->lo,
			      rule->hi);
		break;
	}
	case KIND_ICD:
		if (!icd10_ok(value))
			ERROR(v, path, _("“%s” is not one ICD-10 code such as J06.9"), value);
		break;
	case KIND_ICD_LIST:
		check_list(v, path, value, icd10_ok, (guint)rule->hi, _("an ICD-10 code"));
		break;
	case KIND_CARD_LIST:
		check_list(v, path, value, card_ok, 0,
			   _("a BHYT card number (2 letters and 13 digits)"));
		break;
	case KIND_CCCD:
		if (!cccd_ok(value, v->profile))
			ERROR(v, path,
			      _("“%s” is not an ID number (12-digit CCCD, 9-digit CMND, or a "
				"passport: a capital letter and 7 digits)"),
			      value);
		break;
	case KIND_FACILITY:
		if (!facility_ok(value))
			ERROR(v, path, _("“%s” is not a facility code of 5 characters"), value);
		break;
	case KIND_FACILITY_LIST:
		check_list(v, path, value, facility_ok, 0, _("a facility code of 5 characters"));
		break;
	case KIND_DIGITS:
		if (!all_digits(value, strlen(value)))
			ERROR(v, path, _("“%s” must be digits only (keep leading zeros)"), value);
		break;
	case KIND_CATEGORY: {
		gsize n = strlen(value);
		gboolean ok = g_ascii_isdigit(value[0]) &&
			      (n == 1 || (value[1] == '.' && n >= 3 && n <= 4 &&
					  all_digits(value + 2, n - 2)));
		if (!ok)
			ERROR(v, path,
			      _("“%s” is not a visit-category code of QĐ 824 such as 1.1, 2 or "
				"3.1"),
			      value);
		break;
	}
	case KIND_WEIGHT: {
		const gchar *dot = strchr(value, '.');
		gdouble kg = 0;
		if (!parse_number(value, &kg) || value[0] == '-' ||
		    (dot != NULL && strlen(dot + 1) > 2) || kg <= 0 || kg > 500)
			ERROR(v, path,
			      _("“%s” is not a weight in kg with at most 2 decimals, e.g. 58.25"),
			      value);
		break;
	}
	case KIND_CSST: {
		g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
		g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
		nhip_xml130_csst_check(value, problems, warnings);
		for (guint i = 0; i < problems->len; i++)
			ERROR(v, path, "%s", (const gchar *)problems->pdata[i]);
		for (guint i = 0; i < warnings->len; i++)
			WARN(v, path, "%s", (const gchar *)warnings->pdata[i]);
		break;
	}
	case KIND_STT: {
		gdouble number = 0;
		if (!all_digits(value, strlen(value)) || !parse_number(value, &number) ||
		    number < 1)
			ERROR(v, path, _("“%s” is not a sequence number from 1"), value);
		break;
	}
	case KIND_AMOUNT:
		if (value[0] == '-')
			ERROR(v, path, _("“%s” must not be negative"), value);
		break;
	case KIND_NONE:
	default:
		break;
	}
}

/* ----- XML ----- */

typedef struct {
	GString *text;
} ParseErrors;

static void
parse_error_cb(void *data, xmlErrorPtr error)
{
	ParseErrors *errors = data;
	g_autofree gchar *message = NULL;

	if (errors->text->len > 0 || error == NULL || error->message == NULL)
		return;
	message = g_strstrip(g_strdup(error->message));
	if (!g_utf8_validate(message, -1, NULL)) {
		gchar *valid = g_utf8_make_valid(message, -1);
		g_free(message);
		message = valid;
	}
	g_string_append_printf(errors->text, _("line %d: %s"), error->line, message);
}

static gboolean
bytes_contain(const guint8 *data, gsize size, const gchar *needle)
{
	gsize n = strlen(needle);
	if (size < n)
		return FALSE;
	for (gsize i = 0; i + n <= size; i++) {
		if (data[i] == (guint8)needle[0] && memcmp(data + i, needle, n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* parses UTF-8 XML without a DTD; reports why not and returns NULL */
static xmlDoc *
parse_xml(Validator *v, const gchar *path, const guint8 *data, gsize size, gsize max)
{
	xmlParserCtxt *ctxt;
	xmlDoc *doc;
	ParseErrors errors = { g_string_new(NULL) };
	const gchar *end = NULL;

	if (size == 0) {
		ERROR(v, path, _("the document is empty"));
		g_string_free(errors.text, TRUE);
		return NULL;
	}
	if (size > max) {
		ERROR(v, path, _("the document has %" PRIu64 " bytes; the limit is %" PRIu64),
		      (guint64)size, (guint64)max);
		g_string_free(errors.text, TRUE);
		return NULL;
	}
	if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
		data += 3;
		size -= 3;
	}
	if (!g_utf8_validate_len((const gchar *)data, size, &end)) {
		ERROR(v, path,
		      _("the document is not UTF-8 text (bad byte at offset %" PRIu64
			"); QĐ 130 documents are UTF-8"),
		      (guint64)(end - (const gchar *)data));
		g_string_free(errors.text, TRUE);
		return NULL;
	}
	if (bytes_contain(data, size, "<!DOCTYPE") || bytes_contain(data, size, "<!ENTITY")) {
		ERROR(v, path,
		      _("the document has a DOCTYPE or entity declarations, which QĐ 130 "
			"documents never have; it was not read (entities could hide other "
			"files or expand without end)"));
		g_string_free(errors.text, TRUE);
		return NULL;
	}
	if (size > G_MAXINT) {
		ERROR(v, path, _("the document is too large"));
		g_string_free(errors.text, TRUE);
		return NULL;
	}
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		ERROR(v, path, _("out of memory"));
		g_string_free(errors.text, TRUE);
		return NULL;
	}
	xmlSetStructuredErrorFunc(&errors, parse_error_cb);
	/* HUGE: libxml2 2.9 refuses any document over 10 MB without it; the sizes are
	 * bounded by our own limits above, and no DTD means no entity to expand */
	doc = xmlCtxtReadMemory(ctxt, (const gchar *)data, (gint)size, NULL, "UTF-8",
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_NOCDATA | XML_PARSE_HUGE);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doc == NULL || errors.text->len > 0 || !ctxt->wellFormed) {
		ERROR(v, path, _("not well-formed XML: %s"),
		      errors.text->len > 0 ? errors.text->str : _("no details"));
		if (doc != NULL)
			xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	g_string_free(errors.text, TRUE);
	if (doc != NULL && xmlDocGetRootElement(doc) == NULL) {
		ERROR(v, path, _("the document has no root element"));
		xmlFreeDoc(doc);
		return NULL;
	}
	if (doc != NULL && doc->encoding != NULL &&
	    g_ascii_strcasecmp((const gchar *)doc->encoding, "UTF-8") != 0)
		WARN(v, path, _("the XML declaration names the encoding %s; QĐ 130 uses UTF-8"),
		     (const gchar *)doc->encoding);
	return doc;
}

static gboolean
is_element(const xmlNode *node, const gchar *name)
{
	return node != NULL && node->type == XML_ELEMENT_NODE &&
	       (name == NULL || strcmp((const gchar *)node->name, name) == 0);
}

static const gchar *
node_name(const xmlNode *node)
{
	return (const gchar *)node->name;
}

/* the text of an element; *has_children tells whether it has element children */
static gchar *
node_text(const xmlNode *node, gboolean *has_children)
{
	GString *text = g_string_new(NULL);

	*has_children = FALSE;
	for (const xmlNode *child = node->children; child != NULL; child = child->next) {
		if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
			g_string_append(text, (const gchar *)child->content);
		else if (child->type == XML_ELEMENT_NODE)
			*has_children = TRUE;
	}
	return g_string_free(text, FALSE);
}

/* the only child element @name of @parent, reporting a missing or repeated one */
static xmlNode *
only_child(Validator *v, const gchar *parent_path, xmlNode *parent, const gchar *name)
{
	xmlNode *found = NULL;
	guint n = 0;

	for (xmlNode *child = parent->children; child != NULL; child = child->next) {
		if (is_element(child, name)) {
			if (found == NULL)
				found = child;
			n++;
		}
	}
	if (n == 0) {
		g_autofree gchar *path = g_strdup_printf("%s/%s", parent_path, name);
		ERROR(v, path, _("is missing"));
	} else if (n > 1) {
		g_autofree gchar *path = g_strdup_printf("%s/%s", parent_path, name);
		ERROR(v, path, _("appears %u times; it must appear once"), n);
	}
	return found;
}

static gchar *
child_text(Validator *v, const gchar *parent_path, xmlNode *parent, const gchar *name)
{
	xmlNode *node = only_child(v, parent_path, parent, name);
	gboolean has_children = FALSE;
	gchar *text;

	if (node == NULL)
		return NULL;
	text = node_text(node, &has_children);
	if (has_children) {
		g_autofree gchar *path = g_strdup_printf("%s/%s", parent_path, name);
		ERROR(v, path, _("must hold text, not elements"));
	}
	return g_strstrip(text);
}

/* ----- records of a table ----- */

typedef struct {
	gchar *path;
	gchar **values; /* by field index; NULL when the element is absent */
	guint n_values;
} Record;

static void
record_free(Record *record)
{
	g_free(record->path);
	for (guint i = 0; i < record->n_values; i++)
		g_free(record->values[i]);
	g_free(record->values);
	g_free(record);
}

static const gchar *
record_get(const NhipXml130Table *table, const Record *record, const gchar *name)
{
	gint index = nhip_xml130_table_find(table, name);
	if (index < 0 || record->values[index] == NULL)
		return "";
	return record->values[index];
}

static Record *
check_record(Validator *v, const NhipXml130Table *table, xmlNode *node, const gchar *path)
{
	Record *record = g_new0(Record, 1);
	gint last = -1;
	gboolean order_reported = FALSE;

	record->path = g_strdup(path);
	record->values = g_new0(gchar *, table->n_fields);
	record->n_values = table->n_fields;
	for (xmlNode *child = node->children; child != NULL; child = child->next) {
		g_autofree gchar *field_path = NULL;
		gboolean has_children = FALSE;
		gchar *value;
		gint index;

		if (child->type != XML_ELEMENT_NODE)
			continue;
		field_path = g_strdup_printf("%s/%s", path, node_name(child));
		index = nhip_xml130_table_find(table, node_name(child));
		if (index < 0) {
			ERROR(v, field_path, _("is not a field of table %s (QĐ %s)"),
			      table->loaihoso != NULL ? table->loaihoso : "check-in",
			      nhip_xml130_profile_to_string(v->profile));
			continue;
		}
		if (record->values[index] != NULL) {
			ERROR(v, field_path, _("appears twice"));
			continue;
		}
		if (index < last && !order_reported) {
			WARN(v, field_path,
			     _("comes after %s; fields follow the order of the table"),
			     table->fields[last].name);
			order_reported = TRUE;
		}
		last = MAX(last, index);
		value = node_text(child, &has_children);
		if (has_children)
			ERROR(v, field_path, _("must hold text, not elements"));
		record->values[index] = value;
		check_field(v, &table->fields[index], field_path, value);
	}
	for (guint i = 0; i < table->n_fields; i++) {
		g_autofree gchar *field_path = NULL;
		if (record->values[i] != NULL)
			continue;
		field_path = g_strdup_printf("%s/%s", path, table->fields[i].name);
		if (table->fields[i].required)
			ERROR(v, field_path, _("is required but missing"));
		else
			WARN(v, field_path,
			     _("is missing; write every field, empty when there is no value"));
	}
	return record;
}

/* checks one table document; returns its records */
static GPtrArray *
check_table(Validator *v, const NhipXml130Table *table, xmlNode *root, const gchar *prefix)
{
	GPtrArray *records = g_ptr_array_new_with_free_func((GDestroyNotify)record_free);
	gboolean standalone = prefix[0] == '\0';
	g_autofree gchar *root_path = standalone
					      ? g_strdup(node_name(root))
					      : g_strdup_printf("%s/%s", prefix, node_name(root));
	g_autofree gchar *list_prefix = NULL;
	xmlNode *list;
	guint n = 0;

	if (g_strcmp0(node_name(root), table->root) != 0) {
		ERROR(v, standalone ? "/" : prefix, _("the root element is %s; table %s has %s"),
		      node_name(root), table->loaihoso != NULL ? table->loaihoso : "check-in",
		      table->root);
		return records;
	}
	if (table->list == NULL) {
		g_ptr_array_add(records, check_record(v, table, root, root_path));
		return records;
	}
	list = NULL;
	list_prefix =
		standalone ? g_strdup_printf("%s/%s", table->root, table->list) : g_strdup(prefix);
	for (xmlNode *child = root->children; child != NULL; child = child->next) {
		g_autofree gchar *path = NULL;
		if (child->type != XML_ELEMENT_NODE)
			continue;
		if (is_element(child, table->list) && list == NULL) {
			list = child;
			continue;
		}
		if (table->id == NHIP_XML130_TABLE_CHECKIN && is_element(child, "CHUKYDONVI"))
			continue;
		path = g_strdup_printf("%s/%s", root_path, node_name(child));
		ERROR(v, path, _("is not expected here; %s holds one %s"), table->root,
		      table->list);
	}
	if (list == NULL) {
		g_autofree gchar *path = g_strdup_printf("%s/%s", root_path, table->list);
		ERROR(v, path, _("is missing"));
		return records;
	}
	for (xmlNode *child = list->children; child != NULL && !v->full; child = child->next) {
		g_autofree gchar *path = NULL;
		if (child->type != XML_ELEMENT_NODE)
			continue;
		n++;
		if (!is_element(child, table->record)) {
			path = g_strdup_printf("%s/%s", list_prefix, node_name(child));
			ERROR(v, path, _("is not expected here; %s holds %s elements"), table->list,
			      table->record);
			continue;
		}
		if (records->len >= v->limits.max_records) {
			ERROR(v, list_prefix, _("more than %u rows"), v->limits.max_records);
			break;
		}
		path = g_strdup_printf("%s/%s[%u]", list_prefix, table->record, records->len + 1);
		g_ptr_array_add(records, check_record(v, table, child, path));
	}
	/* STT runs 1..n */
	if (nhip_xml130_table_find(table, "STT") >= 0) {
		for (guint i = 0; i < records->len; i++) {
			Record *record = records->pdata[i];
			const gchar *stt = record_get(table, record, "STT");
			g_autofree gchar *expected = g_strdup_printf("%u", i + 1);
			g_autofree gchar *path = g_strdup_printf("%s/STT", record->path);
			if (stt[0] != '\0' && g_strcmp0(stt, expected) != 0) {
				ERROR(v, path,
				      _("is %s; the rows must be numbered 1, 2, 3… (expected %s)"),
				      stt, expected);
				break;
			}
		}
	}
	return records;
}

/* ----- base64 ----- */

static gint
base64_value(guchar c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* strict standard base64; whitespace is skipped with a warning */
static GBytes *
base64_decode(Validator *v, const gchar *path, const gchar *text)
{
	gsize len = strlen(text);
	g_autoptr(GByteArray) out = NULL;
	guint32 acc = 0;
	guint bits = 0;
	guint n_chars = 0;
	guint padding = 0;
	gboolean space = FALSE;

	if (len / 4 * 3 > v->limits.max_table + 3) {
		ERROR(v, path, _("the content is larger than the limit of %" PRIu64 " bytes"),
		      (guint64)v->limits.max_table);
		return NULL;
	}
	out = g_byte_array_sized_new(len / 4 * 3 + 3);
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)text[i];
		gint value;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = TRUE;
			continue;
		}
		if (c == '=') {
			padding++;
			n_chars++;
			continue;
		}
		value = base64_value(c);
		if (value < 0 || padding > 0) {
			ERROR(v, path,
			      value < 0 ? _("is not base64: character %u is not allowed")
					: _("is not base64: data after the “=” padding (character "
					    "%u)"),
			      (guint)(i + 1));
			return NULL;
		}
		n_chars++;
		acc = (acc << 6) | (guint32)value;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			g_byte_array_append(out, (const guint8[]){ (guint8)(acc >> bits) }, 1);
		}
	}
	if (n_chars % 4 != 0 || padding > 2) {
		ERROR(v, path, _("is not base64: its length is not a multiple of 4"));
		return NULL;
	}
	if (space)
		WARN(v, path,
		     _("the base64 text contains line breaks or spaces; write it without"));
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

/* ----- cross-table checks of one HOSO ----- */

typedef struct {
	const NhipXml130Table *table;
	GPtrArray *records;
	gchar *path;
} TableDoc;

static void
table_doc_free(TableDoc *doc)
{
	if (doc->records != NULL)
		g_ptr_array_unref(doc->records);
	g_free(doc->path);
	g_free(doc);
}

static gdouble
number_of(const NhipXml130Table *table, const Record *record, const gchar *name)
{
	gdouble value = 0;
	if (!parse_number(record_get(table, record, name), &value))
		return 0;
	return value;
}

static void
check_total(Validator *v,
	    const NhipXml130Table *xml1,
	    const Record *summary,
	    const gchar *field,
	    gdouble expected,
	    const gchar *how)
{
	const gchar *text = record_get(xml1, summary, field);
	gdouble value = 0;
	g_autofree gchar *path = g_strdup_printf("%s/%s", summary->path, field);

	if (!parse_number(text, &value))
		return;
	if (fabs(value - expected) > TOTAL_TOLERANCE)
		ERROR(v, path, _("is %s but %s is %.2f"), text, how, expected);
}

static gint64
datetime_of(const NhipXml130Table *table, const Record *record, const gchar *name)
{
	const gchar *text = record_get(table, record, name);
	gint64 value = parse_datetime12(text);
	if (value < 0 && strlen(text) == 8) {
		value = parse_date8(text);
		if (value >= 0)
			value *= 10000;
	}
	return value;
}

static void
check_hoso_links(Validator *v, const gchar *hoso_path, TableDoc **docs)
{
	const NhipXml130Table *xml1 = docs[NHIP_XML130_TABLE_XML1]->table;
	const Record *summary;
	const gchar *ma_lk;
	const gchar *care_type;
	const gchar *discharge;
	gint64 vao, vao_noi_tru, ra;
	gdouble bv[2] = { 0, 0 }, bh = 0, bntt = 0, bncct = 0, bhtt = 0, nguonkhac = 0;
	gdouble supplies = 0, bhtt_gdv = 0;

	if (docs[NHIP_XML130_TABLE_XML1]->records->len != 1)
		return;
	summary = docs[NHIP_XML130_TABLE_XML1]->records->pdata[0];
	ma_lk = record_get(xml1, summary, "MA_LK");
	care_type = record_get(xml1, summary, "MA_LOAI_KCB");
	discharge = record_get(xml1, summary, "MA_LOAI_RV");
	vao = datetime_of(xml1, summary, "NGAY_VAO");
	vao_noi_tru = datetime_of(xml1, summary, "NGAY_VAO_NOI_TRU");
	ra = datetime_of(xml1, summary, "NGAY_RA");

	/* the facility of the envelope is the facility of each visit */
	if (v->facility != NULL && v->facility[0] != '\0' &&
	    g_strcmp0(record_get(xml1, summary, "MA_CSKCB"), v->facility) != 0) {
		g_autofree gchar *path = g_strdup_printf("%s/MA_CSKCB", summary->path);
		ERROR(v, path, _("is “%s” but the envelope's MACSKCB is “%s”"),
		      record_get(xml1, summary, "MA_CSKCB"), v->facility);
	}

	/* dates in order */
	if (vao >= 0 && vao_noi_tru >= 0 && vao_noi_tru < vao) {
		g_autofree gchar *path = g_strdup_printf("%s/NGAY_VAO_NOI_TRU", summary->path);
		ERROR(v, path, _("is before NGAY_VAO"));
	}
	if (ra >= 0 && ((vao >= 0 && ra < vao) || (vao_noi_tru >= 0 && ra < vao_noi_tru))) {
		g_autofree gchar *path = g_strdup_printf("%s/NGAY_RA", summary->path);
		ERROR(v, path, _("is before NGAY_VAO or NGAY_VAO_NOI_TRU"));
	}

	/* treatment days (QĐ 4750 note on SO_NGAY_DTRI) */
	if (vao >= 0 && ra >= 0 && care_type[0] != '\0') {
		const gchar *days_text = record_get(xml1, summary, "SO_NGAY_DTRI");
		g_autofree gchar *path = g_strdup_printf("%s/SO_NGAY_DTRI", summary->path);
		gdouble days = 0;
		if (parse_number(days_text, &days)) {
			if (code_in("01|07|09", care_type) && days != 0)
				ERROR(v, path, _("is %s; it is 0 for MA_LOAI_KCB %s"), days_text,
				      care_type);
			if (code_in("02|03|04|06", care_type)) {
				g_autoptr(GDate) a = g_date_new_dmy(
					vao / 10000 % 100, vao / 1000000 % 100, vao / 100000000);
				g_autoptr(GDate) b = g_date_new_dmy(
					ra / 10000 % 100, ra / 1000000 % 100, ra / 100000000);
				gint expected = g_date_days_between(a, b) + 1;
				if ((gint)days != expected)
					ERROR(v, path,
					      _("is %s; for MA_LOAI_KCB %s it is NGAY_RA − "
						"NGAY_VAO "
						"+ 1 = %d"),
					      days_text, care_type, expected);
			}
		}
	}

	/* every other table: same MA_LK, dates inside the visit, sums */
	for (guint t = NHIP_XML130_TABLE_XML2; t < NHIP_XML130_N_TABLES; t++) {
		TableDoc *doc = docs[t];
		if (doc == NULL)
			continue;
		for (guint r = 0; r < doc->records->len; r++) {
			Record *record = doc->records->pdata[r];
			const gchar *link = record_get(doc->table, record, "MA_LK");
			if (nhip_xml130_table_find(doc->table, "MA_LK") >= 0 &&
			    g_strcmp0(link, ma_lk) != 0) {
				g_autofree gchar *path = g_strdup_printf("%s/MA_LK", record->path);
				ERROR(v, path, _("is “%s” but XML1 has MA_LK “%s”"), link, ma_lk);
			}
			if (t == NHIP_XML130_TABLE_XML2 || t == NHIP_XML130_TABLE_XML3) {
				static const gchar *const times[] = { "NGAY_YL", "NGAY_TH_YL",
								      "NGAY_KQ" };
				gdouble line_bv = number_of(doc->table, record, "THANH_TIEN_BV");
				gdouble line_bhtt = number_of(doc->table, record, "T_BHTT");
				for (guint k = 0; k < G_N_ELEMENTS(times); k++) {
					gint64 at = datetime_of(doc->table, record, times[k]);
					if (at >= 0 && vao >= 0 && ra >= 0 &&
					    (at < vao || at > ra)) {
						g_autofree gchar *path = g_strdup_printf(
							"%s/%s", record->path, times[k]);
						ERROR(v, path,
						      _("is outside the visit (NGAY_VAO to NGAY_RA "
							"of "
							"XML1)"));
					}
				}
				bv[t == NHIP_XML130_TABLE_XML2 ? 0 : 1] += line_bv;
				bh += number_of(doc->table, record, "THANH_TIEN_BH");
				bntt += number_of(doc->table, record, "T_BNTT");
				bncct += number_of(doc->table, record, "T_BNCCT");
				bhtt += line_bhtt;
				nguonkhac += number_of(doc->table, record, "T_NGUONKHAC");
				if (g_strcmp0(record_get(doc->table, record, "MA_PTTT"), "1") == 0)
					bhtt_gdv += line_bhtt;
				if (t == NHIP_XML130_TABLE_XML3 &&
				    record_get(doc->table, record, "MA_VAT_TU")[0] != '\0')
					supplies += line_bv;
			}
			if (t == NHIP_XML130_TABLE_XML4 &&
			    record_get(doc->table, record, "GIA_TRI")[0] != '\0' &&
			    record_get(doc->table, record, "NGAY_KQ")[0] == '\0') {
				g_autofree gchar *path =
					g_strdup_printf("%s/NGAY_KQ", record->path);
				ERROR(v, path, _("is required when GIA_TRI holds a result"));
			}
			if (t == NHIP_XML130_TABLE_XML13 || t == NHIP_XML130_TABLE_XML14) {
				for (guint k = 0; k < G_N_ELEMENTS(repeated_fields); k++) {
					const gchar *here =
						record_get(doc->table, record, repeated_fields[k]);
					const gchar *there =
						record_get(xml1, summary, repeated_fields[k]);
					if (here[0] != '\0' && there[0] != '\0' &&
					    strcmp(here, there) != 0) {
						g_autofree gchar *path = g_strdup_printf(
							"%s/%s", record->path, repeated_fields[k]);
						ERROR(v, path, _("is “%s” but XML1 has “%s”"), here,
						      there);
					}
				}
			}
			if (t == NHIP_XML130_TABLE_XML14) {
				gint64 hen = datetime_of(doc->table, record, "NGAY_HEN_KL");
				gint64 ct = datetime_of(doc->table, record, "NGAY_CT");
				if (hen >= 0 && ra >= 0 && hen / 10000 < ra / 10000) {
					g_autofree gchar *path =
						g_strdup_printf("%s/NGAY_HEN_KL", record->path);
					ERROR(v, path, _("is before NGAY_RA"));
				}
				if (ct >= 0 && vao >= 0 && ct / 10000 < vao / 10000) {
					g_autofree gchar *path =
						g_strdup_printf("%s/NGAY_CT", record->path);
					ERROR(v, path, _("is before NGAY_VAO"));
				}
			}
		}
	}

	/* totals of XML1 against the lines of XML2 and XML3 */
	check_total(v, xml1, summary, "T_THUOC", bv[0], _("the sum of THANH_TIEN_BV in XML2"));
	check_total(v, xml1, summary, "T_VTYT", supplies,
		    _("the sum of THANH_TIEN_BV of the supplies in XML3"));
	check_total(v, xml1, summary, "T_TONGCHI_BV", bv[0] + bv[1],
		    _("the sum of THANH_TIEN_BV in XML2 and XML3"));
	check_total(v, xml1, summary, "T_TONGCHI_BH", bh,
		    _("the sum of THANH_TIEN_BH in XML2 and XML3"));
	check_total(v, xml1, summary, "T_BNTT", bntt, _("the sum of T_BNTT in XML2 and XML3"));
	check_total(v, xml1, summary, "T_BNCCT", bncct, _("the sum of T_BNCCT in XML2 and XML3"));
	check_total(v, xml1, summary, "T_BHTT", bhtt, _("the sum of T_BHTT in XML2 and XML3"));
	check_total(v, xml1, summary, "T_NGUONKHAC", nguonkhac,
		    _("the sum of T_NGUONKHAC in XML2 and XML3"));
	check_total(v, xml1, summary, "T_BHTT_GDV", bhtt_gdv,
		    _("the sum of T_BHTT of the lines with MA_PTTT 1"));
	check_total(v, xml1, summary, "T_BHTT",
		    number_of(xml1, summary, "T_TONGCHI_BH") - number_of(xml1, summary, "T_BNCCT") -
			    number_of(xml1, summary, "T_NGUONKHAC"),
		    _("T_TONGCHI_BH − T_BNCCT − T_NGUONKHAC"));

	/* which tables go with which visit */
	if (code_in(care_types_with_xml5, care_type) && docs[NHIP_XML130_TABLE_XML5] == NULL)
		WARN(v, hoso_path,
		     _("has no XML5 (clinical course), which is expected for "
		       "MA_LOAI_KCB %s"),
		     care_type);
	if (docs[NHIP_XML130_TABLE_XML13] != NULL && !code_in("2|5", discharge))
		ERROR(v, docs[NHIP_XML130_TABLE_XML13]->path,
		      _("a referral paper (XML13) goes only with MA_LOAI_RV 2 or 5, and XML1 has "
			"%s"),
		      discharge);
	if (docs[NHIP_XML130_TABLE_XML13] == NULL && code_in("2|5", discharge))
		WARN(v, hoso_path, _("MA_LOAI_RV is %s (referral) but there is no XML13"),
		     discharge);
}

/* ----- the envelope ----- */

static void
check_signature(Validator *v, xmlNode *chukydonvi)
{
	xmlNode *signature = NULL;
	gboolean empty = TRUE;

	for (xmlNode *child = chukydonvi->children; child != NULL; child = child->next) {
		if (child->type == XML_ELEMENT_NODE) {
			empty = FALSE;
			if (is_element(child, "Signature") && child->ns != NULL &&
			    g_strcmp0((const gchar *)child->ns->href, XMLDSIG_NS) == 0)
				signature = child;
		} else if (child->type == XML_TEXT_NODE) {
			g_autofree gchar *text =
				g_strstrip(g_strdup((const gchar *)child->content));
			if (text[0] != '\0')
				empty = FALSE;
		}
	}
	if (empty)
		return;
	if (signature == NULL) {
		ERROR(v, "GIAMDINHHS/CHUKYDONVI",
		      _("holds something other than an XML-DSig Signature element"));
		return;
	}
	{
		gboolean has_signed_info = FALSE, has_value = FALSE;
		for (xmlNode *child = signature->children; child != NULL; child = child->next) {
			if (is_element(child, "SignedInfo"))
				has_signed_info = TRUE;
			if (is_element(child, "SignatureValue"))
				has_value = TRUE;
		}
		if (!has_signed_info || !has_value)
			ERROR(v, "GIAMDINHHS/CHUKYDONVI/Signature",
			      _("lacks SignedInfo or SignatureValue"));
	}
}

static void
check_hoso(Validator *v, xmlNode *hoso, const gchar *hoso_path, GHashTable *links)
{
	TableDoc *docs[NHIP_XML130_N_TABLES] = { NULL };
	guint j = 0;

	for (xmlNode *file = hoso->children; file != NULL && !v->full; file = file->next) {
		g_autofree gchar *file_path = NULL;
		g_autofree gchar *loaihoso = NULL;
		g_autofree gchar *content = NULL;
		g_autofree gchar *prefix = NULL;
		g_autoptr(GBytes) bytes = NULL;
		const NhipXml130Table *table;
		xmlDoc *doc;

		if (file->type != XML_ELEMENT_NODE)
			continue;
		if (!is_element(file, "FILEHOSO")) {
			g_autofree gchar *path =
				g_strdup_printf("%s/%s", hoso_path, node_name(file));
			ERROR(v, path, _("is not expected here; HOSO holds FILEHOSO elements"));
			continue;
		}
		j++;
		file_path = g_strdup_printf("%s/FILEHOSO[%u]", hoso_path, j);
		loaihoso = child_text(v, file_path, file, "LOAIHOSO");
		content = child_text(v, file_path, file, "NOIDUNGFILE");
		if (loaihoso == NULL || content == NULL)
			continue;
		table = nhip_xml130_table_by_loaihoso(v->profile, loaihoso);
		prefix = g_strdup_printf("%s(%s)", file_path, loaihoso);
		if (table == NULL) {
			g_autofree gchar *path = g_strdup_printf("%s/LOAIHOSO", file_path);
			ERROR(v, path, _("“%s” is not one of XML1 … XML15"), loaihoso);
			continue;
		}
		if (docs[table->id] != NULL) {
			ERROR(v, prefix, _("%s appears twice in this HOSO"), loaihoso);
			continue;
		}
		bytes = base64_decode(v, prefix, content);
		if (bytes == NULL)
			continue;
		doc = parse_xml(v, prefix, g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes),
				v->limits.max_table);
		if (doc == NULL)
			continue;
		docs[table->id] = g_new0(TableDoc, 1);
		docs[table->id]->table = table;
		docs[table->id]->path = g_strdup(prefix);
		if (table->root == NULL) {
			WARN(v, prefix,
			     _("the layout of table %s is not known; only its XML was "
			       "checked"),
			     loaihoso);
			docs[table->id]->records =
				g_ptr_array_new_with_free_func((GDestroyNotify)record_free);
		} else {
			docs[table->id]->records =
				check_table(v, table, xmlDocGetRootElement(doc), prefix);
		}
		xmlFreeDoc(doc);
	}
	if (j == 0)
		ERROR(v, hoso_path, _("has no FILEHOSO"));
	else if (docs[NHIP_XML130_TABLE_XML1] == NULL)
		ERROR(v, hoso_path, _("has no XML1 (the visit summary), which every HOSO needs"));
	else if (docs[NHIP_XML130_TABLE_XML1]->records->len == 1) {
		const Record *summary = docs[NHIP_XML130_TABLE_XML1]->records->pdata[0];
		const gchar *ma_lk =
			record_get(docs[NHIP_XML130_TABLE_XML1]->table, summary, "MA_LK");
		if (ma_lk[0] != '\0') {
			const gchar *other = g_hash_table_lookup(links, ma_lk);
			if (other != NULL)
				ERROR(v, hoso_path,
				      _("MA_LK “%s” is also used by %s; it must be "
					"unique"),
				      ma_lk, other);
			else
				g_hash_table_insert(links, g_strdup(ma_lk), g_strdup(hoso_path));
		}
		check_hoso_links(v, hoso_path, docs);
	}
	for (guint t = 0; t < NHIP_XML130_N_TABLES; t++) {
		if (docs[t] != NULL)
			table_doc_free(docs[t]);
	}
}

static void
check_envelope(Validator *v, xmlNode *root)
{
	xmlNode *unit;
	xmlNode *info;
	xmlNode *list = NULL;
	xmlNode *last = NULL;
	g_autofree gchar *facility = NULL;
	g_autofree gchar *date = NULL;
	g_autofree gchar *count = NULL;
	g_autoptr(GHashTable) links =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	guint n_hoso = 0;

	for (xmlNode *child = root->children; child != NULL; child = child->next) {
		if (child->type != XML_ELEMENT_NODE)
			continue;
		last = child;
		if (!is_element(child, "THONGTINDONVI") && !is_element(child, "THONGTINHOSO") &&
		    !is_element(child, "CHUKYDONVI")) {
			g_autofree gchar *path = g_strdup_printf("GIAMDINHHS/%s", node_name(child));
			ERROR(v, path, _("is not expected in the envelope"));
		}
	}
	unit = only_child(v, ROOT_ENVELOPE, root, "THONGTINDONVI");
	if (unit != NULL) {
		facility = child_text(v, "GIAMDINHHS/THONGTINDONVI", unit, "MACSKCB");
		v->facility = facility;
		if (facility != NULL && (strlen(facility) != 5 || !all_digits(facility, 5)))
			WARN(v, "GIAMDINHHS/THONGTINDONVI/MACSKCB",
			     _("“%s” is not 5 digits; check the facility code"), facility);
	}
	info = only_child(v, ROOT_ENVELOPE, root, "THONGTINHOSO");
	if (info != NULL) {
		date = child_text(v, "GIAMDINHHS/THONGTINHOSO", info, "NGAYLAP");
		if (date != NULL && parse_date8(date) < 0)
			ERROR(v, "GIAMDINHHS/THONGTINHOSO/NGAYLAP",
			      _("“%s” is not a date yyyyMMdd"), date);
		count = child_text(v, "GIAMDINHHS/THONGTINHOSO", info, "SOLUONGHOSO");
		list = only_child(v, "GIAMDINHHS/THONGTINHOSO", info, "DANHSACHHOSO");
	}
	if (list != NULL) {
		for (xmlNode *hoso = list->children; hoso != NULL && !v->full; hoso = hoso->next) {
			g_autofree gchar *path = NULL;
			if (hoso->type != XML_ELEMENT_NODE)
				continue;
			if (!is_element(hoso, "HOSO")) {
				path = g_strdup_printf("GIAMDINHHS/THONGTINHOSO/DANHSACHHOSO/%s",
						       node_name(hoso));
				ERROR(v, path,
				      _("is not expected here; DANHSACHHOSO holds HOSO "
					"elements"));
				continue;
			}
			if (++n_hoso > v->limits.max_records) {
				ERROR(v, "GIAMDINHHS/THONGTINHOSO/DANHSACHHOSO",
				      _("more than %u HOSO"), v->limits.max_records);
				break;
			}
			path = g_strdup_printf(PATH_HOSO "[%u]", n_hoso);
			check_hoso(v, hoso, path, links);
		}
		if (n_hoso == 0)
			ERROR(v, "GIAMDINHHS/THONGTINHOSO/DANHSACHHOSO", _("has no HOSO"));
	}
	if (count != NULL) {
		g_autofree gchar *expected = g_strdup_printf("%u", n_hoso);
		if (g_strcmp0(count, expected) != 0 && !v->full)
			ERROR(v, "GIAMDINHHS/THONGTINHOSO/SOLUONGHOSO",
			      _("is “%s” but the envelope holds %u HOSO"), count, n_hoso);
	}
	{
		xmlNode *signature = only_child(v, ROOT_ENVELOPE, root, "CHUKYDONVI");
		if (signature != NULL) {
			if (last != signature)
				WARN(v, "GIAMDINHHS/CHUKYDONVI",
				     _("should be the last element of the envelope"));
			check_signature(v, signature);
		}
	}
	v->facility = NULL;
}

static void
check_checkin(Validator *v, xmlNode *root)
{
	const NhipXml130Table *table = nhip_xml130_table(v->profile, NHIP_XML130_TABLE_CHECKIN);
	g_autoptr(GPtrArray) records = check_table(v, table, root, "");

	for (guint i = 0; i < records->len; i++) {
		Record *record = records->pdata[i];
		static const gchar *const pairs[][2] = {
			{ "MA_DICH_VU", "TEN_DICH_VU" },
			{ "MA_THUOC", "TEN_THUOC" },
			{ "MA_VAT_TU", "TEN_VAT_TU" },
		};
		gint64 vao = datetime_of(table, record, "NGAY_VAO");
		gint64 noi_tru = datetime_of(table, record, "NGAY_VAO_NOI_TRU");

		if (g_strcmp0(record_get(table, record, "MA_DOITUONG_KCB"), "2") == 0) {
			g_autofree gchar *path =
				g_strdup_printf("%s/MA_DOITUONG_KCB", record->path);
			ERROR(v, path, _("is 2 (emergency); emergencies are not checked in"));
		}
		if (noi_tru >= 0) {
			g_autofree gchar *path = g_strdup_printf("%s/LY_DO_VNT", record->path);
			if (record_get(table, record, "LY_DO_VNT")[0] == '\0')
				ERROR(v, path, _("is required when NGAY_VAO_NOI_TRU is set"));
			if (vao >= 0 && noi_tru < vao) {
				g_autofree gchar *p2 =
					g_strdup_printf("%s/NGAY_VAO_NOI_TRU", record->path);
				ERROR(v, p2, _("is before NGAY_VAO"));
			}
		}
		if (record_get(table, record, "MA_DICH_VU")[0] == '\0' &&
		    record_get(table, record, "MA_THUOC")[0] == '\0' &&
		    record_get(table, record, "MA_VAT_TU")[0] == '\0') {
			g_autofree gchar *path = g_strdup_printf("%s/MA_DICH_VU", record->path);
			ERROR(v, path,
			      _("the first charge needs MA_DICH_VU, MA_THUOC or MA_VAT_TU"));
		}
		for (guint k = 0; k < G_N_ELEMENTS(pairs); k++) {
			if (record_get(table, record, pairs[k][0])[0] != '\0' &&
			    record_get(table, record, pairs[k][1])[0] == '\0') {
				g_autofree gchar *path =
					g_strdup_printf("%s/%s", record->path, pairs[k][1]);
				ERROR(v, path, _("is required when %s is set"), pairs[k][0]);
			}
		}
	}
	{
		xmlNode *signature = NULL;
		for (xmlNode *child = root->children; child != NULL; child = child->next) {
			if (is_element(child, "CHUKYDONVI"))
				signature = child;
		}
		if (signature == NULL)
			ERROR(v, "CHI_TIEU_TRANG_THAI_KCB/CHUKYDONVI", _("is missing"));
	}
}

/**
 * nhip_xml130_validate:
 * @data: the document's bytes
 * @size: their number
 * @profile: the field sizes to check against
 * @limits: (nullable): limits on hostile input, %NULL for the defaults
 *
 * Checks a GIAMDINHHS envelope or a check-in document.
 *
 * Returns: (transfer container) (element-type NhipXml130Violation): the violations in
 *   document order; empty when the document is valid
 */
GPtrArray *
nhip_xml130_validate(const guint8 *data,
		     gsize size,
		     NhipXml130Profile profile,
		     const NhipXml130Limits *limits)
{
	Validator v = { 0 };
	xmlDoc *doc;
	xmlNode *root;

	v.profile = profile;
	if (limits != NULL)
		v.limits = *limits;
	if (v.limits.max_document == 0)
		v.limits.max_document = 256 * 1024 * 1024;
	if (v.limits.max_table == 0)
		v.limits.max_table = 16 * 1024 * 1024;
	if (v.limits.max_records == 0)
		v.limits.max_records = 100000;
	if (v.limits.max_violations == 0)
		v.limits.max_violations = 1000;
	v.out = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_xml130_violation_free);

	doc = parse_xml(&v, "/", data, size, v.limits.max_document);
	if (doc == NULL)
		return v.out;
	root = xmlDocGetRootElement(doc);
	if (is_element(root, ROOT_ENVELOPE))
		check_envelope(&v, root);
	else if (is_element(root, "CHI_TIEU_TRANG_THAI_KCB"))
		check_checkin(&v, root);
	else
		ERROR(&v, "/",
		      _("the root element is %s; a QĐ 130 file is a GIAMDINHHS envelope or a "
			"check-in document CHI_TIEU_TRANG_THAI_KCB"),
		      node_name(root));
	xmlFreeDoc(doc);
	return v.out;
}

/**
 * nhip_xml130_field_problem:
 * @profile: the profile
 * @field: a field of one of its tables
 * @value: the value to write
 *
 * Applies the validator's checks of one field (type, size in characters, required, date
 * formats, code lists, the CSST string) to a value, so that a writer refuses what the
 * validator would.
 *
 * Returns: (transfer full) (nullable): why @value is not valid for @field, or %NULL
 */
gchar *
nhip_xml130_field_problem(NhipXml130Profile profile,
			  const NhipXml130Field *field,
			  const gchar *value)
{
	Validator v = { 0 };
	gchar *problem = NULL;

	v.profile = profile;
	check_field(&v, field, "", value != NULL ? value : "");
	if (v.out == NULL)
		return NULL;
	for (guint i = 0; i < v.out->len && problem == NULL; i++) {
		NhipXml130Violation *violation = v.out->pdata[i];
		if (violation->severity == NHIP_XML130_SEVERITY_ERROR)
			problem = g_steal_pointer(&violation->message);
	}
	g_ptr_array_unref(v.out);
	return problem;
}

/**
 * nhip_xml130_violations_count:
 * @violations: (element-type NhipXml130Violation): from nhip_xml130_validate()
 * @severity: which ones to count
 *
 * Returns: how many of @violations have @severity
 */
guint
nhip_xml130_violations_count(GPtrArray *violations, NhipXml130Severity severity)
{
	guint n = 0;
	for (guint i = 0; i < violations->len; i++) {
		const NhipXml130Violation *violation = violations->pdata[i];
		if (violation->severity == severity)
			n++;
	}
	return n;
}
