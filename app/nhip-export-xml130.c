/*
 * Nhịp — the QĐ 130 XML built from the store.
 *
 * One pass: six prepared queries (visits with patient and claim details, diagnoses,
 * services, observations, appointments, referrals), each ordered by visit, are walked
 * side by side; each visit's tables are written with libxml2's text writer, base64-encoded
 * and written into the envelope at once. Every value goes through the validator's field
 * check (nhip_xml130_field_problem()) for the chosen profile: a value that does not fit is
 * refused with the visit, table and field named, except free text with a size limit
 * (addresses, service names), which is shortened and listed in the notes. Where the spec is
 * uncertain, the choices are written down in README-xml130.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <libxml/xmlwriter.h>
#include <math.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>
#include <time.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "nhip-export-xml130.h"
#include "nhip-store-claims.h"
#include "nhip-store-private.h"
#include "nhip-xml130-validate.h"

/* defaults when the record has no value (a vendor's documented defaults: Việt Nam, and
 * "không xác định" for ethnicity and occupation) */
#define DEFAULT_NATIONALITY	"000"
#define DEFAULT_ETHNICITY	"56"
#define DEFAULT_OCCUPATION_4750 "00000"
#define DEFAULT_OCCUPATION_3176 "00"

/* vital signs measured within this many seconds make one reading (one XML5 row) */
#define READING_WINDOW (15 * 60)

/* at most this many problems are listed in the error */
#define MAX_PROBLEMS_SHOWN 20

/* free-text fields that may be shortened to their size instead of refusing the visit */
static const gchar *const truncatable[] = { "DIA_CHI",	    "TEN_DICH_VU",    "TEN_THUOC",
					    "TEN_VAT_TU",   "HOTEN_NGUOI_HT", "CHUCDANH_NGUOI_HT",
					    "PHUONGTIEN_VC" };

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlTextWriter, xmlFreeTextWriter)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIO, BIO_free)

/* ----- one row of a table ----- */

typedef struct {
	const NhipXml130Table *table;
	GHashTable *index;     /* field name → position + 1 */
	gboolean *truncatable; /* by position */
} TableInfo;

typedef struct {
	const TableInfo *info;
	gchar **values;
} Row;

static void
row_init(Row *row, const TableInfo *info)
{
	row->info = info;
	row->values = g_new0(gchar *, info->table->n_fields + 1);
}

static void
row_clear(Row *row)
{
	for (guint i = 0; row->values != NULL && i < row->info->table->n_fields; i++)
		g_free(row->values[i]);
	g_clear_pointer(&row->values, g_free);
}

static void
row_take(Row *row, const gchar *name, gchar *value)
{
	guint position = GPOINTER_TO_UINT(g_hash_table_lookup(row->info->index, name));

	/* a field the table does not have is a programming error */
	g_return_if_fail(position > 0);
	g_free(row->values[position - 1]);
	row->values[position - 1] = value;
}

static void
row_set(Row *row, const gchar *name, const gchar *value)
{
	row_take(row, name, g_strdup(value));
}

/* ----- the export ----- */

typedef struct {
	gint64 id;
	const gchar *ma_lk;
	gint64 opened_at;
	gint64 closed_at;
	const gchar *reason;
	gboolean open;
	const gchar *staff_license;
	gint64 patient_id;
	const gchar *name;
	const gchar *birth;
	gint sex;
	const gchar *ethnicity;
	const gchar *cccd;
	const gchar *bhyt;
	const gchar *bhyt_from;
	const gchar *bhyt_to;
	const gchar *bhyt_facility;
	const gchar *address;
	const gchar *province;
	const gchar *district;
	const gchar *commune;
	const gchar *phone;
	const gchar *care_type;
	const gchar *category;
	const gchar *diagnosis_text;
	const gchar *treatment;
	const gchar *referred_from;
	gint outcome;
} VisitRow;

/* a service line; its texts live in the export's string chunk and are not freed */
typedef struct {
	NhipVisitService line;
	const gchar *license;
	/* computed, in hundredths of a đồng */
	gint64 total_hospital;
	gint64 total_insurance;
	gint64 fund;
	gint64 copay;
	gint64 patient_pays;
} ServiceRow;

typedef struct {
	NhipVitalKind kind;
	gdouble value;
	gdouble value2;
	gint64 measured_at;
	const gchar *license;
} ObsRow;

typedef struct {
	NhipStore *store;
	NhipXml130Profile profile;
	NhipFacility *facility;
	NhipClaimSettings *settings;
	TableInfo tables[NHIP_XML130_N_TABLES];
	xmlTextWriter *envelope;
	xmlBuffer *envelope_buffer;
	xmlTextWriter *checkin;
	xmlBuffer *checkin_buffer;
	guint n_checkin;
	GPtrArray *problems;
	GPtrArray *notes;
	GStringChunk *strings;	 /* texts of the visit being written */
	xmlBuffer *table_buffer; /* reused for each table document */
	/* the visit being written */
	const VisitRow *visit;
	gchar *visit_label;
} Export;

typedef struct {
	NhipStmt *stmt;
	gboolean has_row;
} Cursor;

static gboolean
cursor_next(Export *ex, Cursor *cursor, GError **error)
{
	gint rc = sqlite3_step(cursor->stmt);

	cursor->has_row = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		nhipi_store_set_error(ex->store, rc, _("read the visits to export"), error);
		return FALSE;
	}
	return TRUE;
}

static gboolean
cursor_at(const Cursor *cursor, gint64 visit_id)
{
	return cursor->has_row && sqlite3_column_int64(cursor->stmt, 0) == visit_id;
}

static const gchar *
col_text(NhipStmt *stmt, gint index)
{
	return (const gchar *)sqlite3_column_text(stmt, index);
}

static void problem(Export *ex, const gchar *table, const gchar *field, const gchar *format, ...)
	G_GNUC_PRINTF(4, 5);

/* a reason why the current visit cannot be exported */
static void
problem(Export *ex, const gchar *table, const gchar *field, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *message = NULL;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	if (field != NULL)
		g_ptr_array_add(ex->problems, g_strdup_printf("%s: %s/%s: %s", ex->visit_label,
							      table, field, message));
	else
		g_ptr_array_add(ex->problems,
				g_strdup_printf("%s: %s: %s", ex->visit_label, table, message));
}

/* ----- value formats ----- */

static gchar *
fmt_datetime(gint64 unix_time)
{
	time_t t = (time_t)unix_time;
	struct tm tm = { 0 };
	gchar buffer[32] = { 0 };

	if (localtime_r(&t, &tm) == NULL)
		return g_strdup("");
	strftime(buffer, sizeof(buffer), "%Y%m%d%H%M", &tm);
	return g_strdup(buffer);
}

static gchar *
fmt_date(gint64 unix_time)
{
	gchar *datetime = fmt_datetime(unix_time);
	if (strlen(datetime) >= 8)
		datetime[8] = '\0';
	return datetime;
}

/* YYYY-MM-DD → yyyyMMdd */
static gchar *
fmt_iso_date(const gchar *date)
{
	GString *out = g_string_sized_new(8);
	for (const gchar *p = date; p != NULL && *p != '\0'; p++) {
		if (g_ascii_isdigit(*p))
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

/* the birth date of QĐ 130: yyyyMMddHHmm with 0000 for an unknown time, and a year alone
 * as YYYY00000000 */
static gchar *
fmt_birth(const gchar *birth)
{
	g_autofree gchar *digits = fmt_iso_date(birth);
	if (strlen(digits) == 4)
		return g_strconcat(digits, "00000000", NULL);
	return g_strconcat(digits, "0000", NULL);
}

/* hundredths of a đồng → "38700" or "38700.5" */
static gchar *
fmt_money(gint64 cents)
{
	gint64 whole = cents / 100;
	gint64 part = llabs(cents % 100);

	if (part == 0)
		return g_strdup_printf("%" PRId64, whole);
	if (part % 10 == 0)
		return g_strdup_printf("%" PRId64 ".%" PRId64, whole, part / 10);
	return g_strdup_printf("%" PRId64 ".%02" PRId64, whole, part);
}

/* a decimal number with at most @decimals places and no trailing zeros */
static gchar *
fmt_decimal(gdouble value, gint decimals)
{
	gchar buffer[G_ASCII_DTOSTR_BUF_SIZE] = { 0 };
	gchar *dot;

	g_ascii_formatd(buffer, sizeof(buffer),
			decimals == 0	? "%.0f"
			: decimals == 1 ? "%.1f"
			: decimals == 2 ? "%.2f"
					: "%.3f",
			value);
	dot = strchr(buffer, '.');
	if (dot != NULL) {
		gchar *end = buffer + strlen(buffer) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	return g_strdup(buffer);
}

static gboolean
code_is(const gchar *value, const gchar *code)
{
	return g_strcmp0(value, code) == 0;
}

static gint64
money_round(gdouble value)
{
	return (gint64)llround(value * 100.0);
}

/* ----- writing a table ----- */

static gboolean
is_truncatable(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(truncatable); i++) {
		if (strcmp(truncatable[i], name) == 0)
			return TRUE;
	}
	return FALSE;
}

/* checks and writes the fields of a row in the table's order */
static void
write_row(Export *ex, xmlTextWriter *writer, Row *row, const gchar *record)
{
	const NhipXml130Table *table = row->info->table;
	const gchar *table_name = table->loaihoso != NULL ? table->loaihoso : "check-in";

	if (record != NULL)
		xmlTextWriterStartElement(writer, BAD_CAST record);
	for (guint i = 0; i < table->n_fields; i++) {
		const NhipXml130Field *field = &table->fields[i];
		const gchar *value = row->values[i] != NULL ? row->values[i] : "";
		g_autofree gchar *why = NULL;

		if (field->max_chars > 0 && row->info->truncatable[i] &&
		    g_utf8_strlen(value, -1) > (glong)field->max_chars) {
			gchar *end = g_utf8_offset_to_pointer(value, field->max_chars);
			g_ptr_array_add(ex->notes,
					g_strdup_printf(_("%s: %s/%s was shortened from %ld to %u "
							  "characters"),
							ex->visit_label, table_name, field->name,
							g_utf8_strlen(value, -1),
							field->max_chars));
			*end = '\0';
		}
		why = nhip_xml130_field_problem(ex->profile, field, value);
		if (why != NULL)
			problem(ex, table_name, field->name, "%s", why);
		xmlTextWriterWriteElement(writer, BAD_CAST field->name, BAD_CAST value);
	}
	if (record != NULL)
		xmlTextWriterEndElement(writer);
}

#define XML_DECLARATION "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"

/* a table document (root, optional list, one element per row) in the reused buffer; the
 * text is UTF-8 already, so the declaration is written as it is, without an encoder */
static void
write_table(Export *ex, NhipXml130TableId id, Row *rows, guint n_rows)
{
	const NhipXml130Table *table = ex->tables[id].table;
	g_autoptr(xmlTextWriter) writer = NULL;

	xmlBufferEmpty(ex->table_buffer);
	writer = xmlNewTextWriterMemory(ex->table_buffer, 0);
	xmlTextWriterWriteRaw(writer, BAD_CAST XML_DECLARATION);
	xmlTextWriterStartElement(writer, BAD_CAST table->root);
	if (table->list != NULL) {
		xmlTextWriterStartElement(writer, BAD_CAST table->list);
		for (guint i = 0; i < n_rows; i++)
			write_row(ex, writer, &rows[i], table->record);
		xmlTextWriterEndElement(writer);
	} else {
		write_row(ex, writer, &rows[0], NULL);
	}
	xmlTextWriterEndElement(writer);
	xmlTextWriterFlush(writer);
}

static void
write_file(Export *ex, NhipXml130TableId id, Row *rows, guint n_rows)
{
	g_autofree gchar *base64 = NULL;

	write_table(ex, id, rows, n_rows);
	base64 = g_base64_encode(xmlBufferContent(ex->table_buffer),
				 (gsize)xmlBufferLength(ex->table_buffer));
	xmlTextWriterStartElement(ex->envelope, BAD_CAST "FILEHOSO");
	xmlTextWriterWriteElement(ex->envelope, BAD_CAST "LOAIHOSO",
				  BAD_CAST ex->tables[id].table->loaihoso);
	xmlTextWriterStartElement(ex->envelope, BAD_CAST "NOIDUNGFILE");
	/* base64 has no character that needs escaping */
	xmlTextWriterWriteRaw(ex->envelope, BAD_CAST base64);
	xmlTextWriterEndElement(ex->envelope);
	xmlTextWriterEndElement(ex->envelope);
}

/* ----- one visit ----- */

/* the rows of the other queries that belong to one visit; texts live in the export's
 * string chunk */
typedef struct {
	GPtrArray *icd;	      /* const gchar* */
	GArray *services;     /* ServiceRow */
	GArray *observations; /* ObsRow */
	gboolean has_appointment;
	const gchar *appointment_number;
	const gchar *appointment_date; /* YYYY-MM-DD */
	gint64 appointment_issued;
	const gchar *appointment_license;
	gboolean has_referral;
	/* number, to, signs, course, results, direction, transport, escort name, escort
	 * title, licence of who referred */
	const gchar *referral[10];
	gint referral_reason;
	gint64 referral_issued;
} VisitExtras;

static void
extras_reset(VisitExtras *extras)
{
	g_ptr_array_set_size(extras->icd, 0);
	g_array_set_size(extras->services, 0);
	g_array_set_size(extras->observations, 0);
	extras->has_appointment = FALSE;
	extras->has_referral = FALSE;
	extras->appointment_number = NULL;
	extras->appointment_date = NULL;
	extras->appointment_license = NULL;
	memset(extras->referral, 0, sizeof(extras->referral));
}

static const gchar *
insured_card(const VisitRow *visit)
{
	return visit->bhyt != NULL && visit->bhyt[0] != '\0' ? visit->bhyt : NULL;
}

/* MA_TTDV: the BHXH number under QĐ 4750, the licence number under QĐ 3176 */
static const gchar *
export_director(Export *ex)
{
	return ex->profile == NHIP_XML130_PROFILE_3176 ? ex->settings->director_license
						       : ex->settings->director_code;
}

/* the visit category: recorded, or 1.1 when the card is registered here */
static const gchar *
visit_category(Export *ex)
{
	const VisitRow *visit = ex->visit;

	if (visit->category != NULL && visit->category[0] != '\0')
		return visit->category;
	if (insured_card(visit) != NULL && g_strcmp0(visit->bhyt_facility, ex->facility->code) == 0)
		return "1.1";
	problem(ex, "XML1", "MA_DOITUONG_KCB",
		_("the visit category is not recorded, and the patient's card is not registered "
		  "at this facility (or there is no card); record it with “nhipctl visit claim "
		  "%" PRId64 " --category CODE”"),
		visit->id);
	return "";
}

/* who examined: the licence of the first service's staff, else of who opened the visit */
static const gchar *
examiner_license(const VisitRow *visit, const VisitExtras *extras)
{
	for (guint i = 0; i < extras->services->len; i++) {
		const ServiceRow *service = &g_array_index(extras->services, ServiceRow, i);
		if (service->license != NULL)
			return service->license;
	}
	return visit->staff_license;
}

static gint
treatment_days(const VisitRow *visit)
{
	g_autoptr(GDateTime) in = NULL;
	g_autoptr(GDateTime) out = NULL;
	g_autoptr(GDate) a = NULL;
	g_autoptr(GDate) b = NULL;

	if (code_is(visit->care_type, "01") || code_is(visit->care_type, "07") ||
	    code_is(visit->care_type, "09"))
		return 0;
	in = g_date_time_new_from_unix_local(visit->opened_at);
	out = g_date_time_new_from_unix_local(visit->closed_at);
	a = g_date_new_dmy(g_date_time_get_day_of_month(in), g_date_time_get_month(in),
			   g_date_time_get_year(in));
	b = g_date_new_dmy(g_date_time_get_day_of_month(out), g_date_time_get_month(out),
			   g_date_time_get_year(out));
	return g_date_days_between(a, b) + 1;
}

/* the payment of each line: what the facility charges, what the fund covers, and who
 * pays the rest (QĐ 130 Bảng 3: THANH_TIEN_BV = SO_LUONG × DON_GIA_BV × TYLE_TT_DV) */
static void
compute_payments(const VisitRow *visit, VisitExtras *extras)
{
	/* care at a commune station is paid in full by the fund (Luật BHYT, Điều 22) */
	gint benefit = insured_card(visit) != NULL ? 100 : 0;

	for (guint i = 0; i < extras->services->len; i++) {
		ServiceRow *line = &g_array_index(extras->services, ServiceRow, i);
		gdouble base = line->line.quantity * line->line.service_rate / 100.0;

		line->total_hospital = money_round(base * (gdouble)line->line.price_hospital);
		line->total_insurance =
			benefit > 0 && line->line.scope == 1
				? money_round(base * (gdouble)line->line.price_insurance *
					      line->line.insurance_rate / 100.0)
				: 0;
		line->fund = money_round(line->total_insurance / 100.0 * benefit / 100.0);
		line->copay = line->total_insurance - line->fund;
		line->patient_pays = line->total_hospital - line->total_insurance;
		if (line->patient_pays < 0)
			line->patient_pays = 0;
	}
}

static gchar *
join_icd(const VisitExtras *extras, guint from)
{
	g_autoptr(GString) out = g_string_new(NULL);
	for (guint i = from; i < extras->icd->len; i++) {
		if (out->len > 0)
			g_string_append_c(out, ';');
		g_string_append(out, extras->icd->pdata[i]);
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* the fields XML1, XML13 and XML14 share about the patient */
static void
set_patient(Export *ex, Row *row)
{
	const VisitRow *visit = ex->visit;
	gint index;

	row_set(row, "MA_LK", visit->ma_lk);
	row_set(row, "MA_CSKCB", ex->facility->code);
	row_set(row, "HO_TEN", visit->name);
	row_take(row, "NGAY_SINH", fmt_birth(visit->birth));
	row_take(row, "GIOI_TINH",
		 g_strdup_printf("%d", visit->sex == 1 || visit->sex == 2 ? visit->sex : 3));
	row_set(row, "DIA_CHI", visit->address);
	row_set(row, "MA_THE_BHYT", insured_card(visit));
	index = nhip_xml130_table_find(row->info->table, "GT_THE_DEN");
	if (index >= 0) {
		/* without a card, the card dates are the visit's dates (QĐ 130) */
		row_take(row, "GT_THE_DEN",
			 insured_card(visit) != NULL && visit->bhyt_to != NULL
				 ? fmt_iso_date(visit->bhyt_to)
				 : fmt_date(visit->closed_at));
	}
	row_take(row, "NGAY_VAO", fmt_datetime(visit->opened_at));
	row_take(row, "NGAY_RA", fmt_datetime(visit->closed_at));
}

static void
set_diagnoses(Export *ex, Row *row, const VisitExtras *extras)
{
	row_set(row, "CHAN_DOAN_RV", ex->visit->diagnosis_text);
	row_set(row, "MA_BENH_CHINH", extras->icd->len > 0 ? extras->icd->pdata[0] : "");
	row_take(row, "MA_BENH_KT", join_icd(extras, 1));
}

static void
write_xml1(Export *ex, const VisitExtras *extras, const gchar *category)
{
	const VisitRow *visit = ex->visit;
	const gchar *card = insured_card(visit);
	Row row = { 0 };
	gint64 sum_bv = 0, sum_bh = 0, sum_bntt = 0, sum_bncct = 0, sum_bhtt = 0;
	gdouble weight = 0, height = 0;
	g_autoptr(GDateTime) closed = g_date_time_new_from_unix_local(visit->closed_at);

	for (guint i = 0; i < extras->services->len; i++) {
		const ServiceRow *line = &g_array_index(extras->services, ServiceRow, i);
		sum_bv += line->total_hospital;
		sum_bh += line->total_insurance;
		sum_bntt += line->patient_pays;
		sum_bncct += line->copay;
		sum_bhtt += line->fund;
	}
	/* the last weight and height measured at the visit */
	for (guint i = 0; i < extras->observations->len; i++) {
		const ObsRow *obs = &g_array_index(extras->observations, ObsRow, i);
		if (obs->kind == NHIP_VITAL_WEIGHT)
			weight = obs->value;
		else if (obs->kind == NHIP_VITAL_HEIGHT)
			height = obs->value;
	}

	row_init(&row, &ex->tables[NHIP_XML130_TABLE_XML1]);
	set_patient(ex, &row);
	row_set(&row, "STT", "1");
	row_take(&row, "MA_BN", g_strdup_printf("%" PRId64, visit->patient_id));
	row_set(&row, "SO_CCCD", visit->cccd);
	row_set(&row, "MA_QUOCTICH", DEFAULT_NATIONALITY);
	row_set(&row, "MA_DANTOC", visit->ethnicity != NULL ? visit->ethnicity : DEFAULT_ETHNICITY);
	row_set(&row, "MA_NGHE_NGHIEP",
		ex->profile == NHIP_XML130_PROFILE_3176 ? DEFAULT_OCCUPATION_3176
							: DEFAULT_OCCUPATION_4750);
	row_set(&row, "MATINH_CU_TRU", visit->province);
	row_set(&row, "MAHUYEN_CU_TRU", visit->district);
	row_set(&row, "MAXA_CU_TRU", visit->commune);
	row_set(&row, "DIEN_THOAI", visit->phone);
	row_set(&row, "MA_DKBD", card != NULL ? visit->bhyt_facility : NULL);
	row_take(&row, "GT_THE_TU",
		 card != NULL && visit->bhyt_from != NULL ? fmt_iso_date(visit->bhyt_from)
							  : fmt_date(visit->opened_at));
	row_set(&row, "LY_DO_VV", visit->reason);
	row_set(&row, "CHAN_DOAN_VAO", visit->diagnosis_text);
	set_diagnoses(ex, &row, extras);
	row_set(&row, "MA_DOITUONG_KCB", category);
	row_set(&row, "MA_NOI_DI", visit->referred_from);
	row_set(&row, "MA_NOI_DEN", extras->has_referral ? extras->referral[1] : NULL);
	if (extras->has_referral)
		row_set(&row, "GIAY_CHUYEN_TUYEN", extras->referral[0]);
	else if (extras->has_appointment)
		row_set(&row, "GIAY_CHUYEN_TUYEN", extras->appointment_number);
	row_take(&row, "SO_NGAY_DTRI", g_strdup_printf("%d", treatment_days(visit)));
	row_set(&row, "PP_DIEU_TRI", visit->treatment);
	row_take(&row, "KET_QUA_DTRI", g_strdup_printf("%d", visit->outcome));
	row_set(&row, "MA_LOAI_RV",
		!extras->has_referral	       ? "1"
		: extras->referral_reason == 3 ? "5"
					       : "2");
	row_set(&row, "T_THUOC", "0");
	row_set(&row, "T_VTYT", "0");
	row_take(&row, "T_TONGCHI_BV", fmt_money(sum_bv));
	row_take(&row, "T_TONGCHI_BH", fmt_money(sum_bh));
	row_take(&row, "T_BNTT", fmt_money(sum_bntt));
	row_take(&row, "T_BNCCT", fmt_money(sum_bncct));
	row_take(&row, "T_BHTT", fmt_money(sum_bhtt));
	row_set(&row, "T_NGUONKHAC", "0");
	/* every line is paid per service (MA_PTTT 1) */
	row_take(&row, "T_BHTT_GDV", fmt_money(sum_bhtt));
	row_take(&row, "NAM_QT", g_strdup_printf("%d", g_date_time_get_year(closed)));
	row_take(&row, "THANG_QT", g_strdup_printf("%d", g_date_time_get_month(closed)));
	row_set(&row, "MA_LOAI_KCB", visit->care_type);
	row_set(&row, "MA_KHOA", ex->settings->department_code);
	if (weight > 0)
		row_take(&row, "CAN_NANG", fmt_decimal(weight, 2));
	else
		problem(ex, "XML1", "CAN_NANG",
			_("the patient was not weighed at this visit; record a weight"));
	if (extras->has_appointment)
		row_take(&row, "NGAY_TAI_KHAM", fmt_iso_date(extras->appointment_date));
	row_set(&row, "MA_HSBA", visit->ma_lk);
	row_set(&row, "MA_TTDV", export_director(ex));
	/* QĐ 3176 puts the height in cm into DU_PHONG */
	if (ex->profile == NHIP_XML130_PROFILE_3176 && height > 0)
		row_take(&row, "DU_PHONG", fmt_decimal(height, 1));
	if (visit->reason == NULL)
		problem(ex, "XML1", "LY_DO_VV", _("the visit has no reason recorded"));
	if (visit->diagnosis_text == NULL)
		problem(ex, "XML1", "CHAN_DOAN_RV",
			_("the diagnosis in words is not recorded; add it with “nhipctl visit "
			  "claim %" PRId64 " --diagnosis-text TEXT”"),
			visit->id);
	if (extras->icd->len == 0)
		problem(ex, "XML1", "MA_BENH_CHINH",
			_("the visit has no ICD-10 diagnosis; close it with --icd CODE"));
	write_file(ex, NHIP_XML130_TABLE_XML1, &row, 1);
	row_clear(&row);
}

static void
write_xml3(Export *ex, const VisitExtras *extras)
{
	const VisitRow *visit = ex->visit;
	guint n = extras->services->len;
	g_autofree Row *rows = g_new0(Row, n);
	g_autofree gchar *icd = join_icd(extras, 0);
	const gchar *benefit = insured_card(visit) != NULL ? "100" : "0";

	for (guint i = 0; i < n; i++) {
		const ServiceRow *line = &g_array_index(extras->services, ServiceRow, i);
		Row *row = &rows[i];
		const gchar *license =
			line->license != NULL ? line->license : examiner_license(visit, extras);

		row_init(row, &ex->tables[NHIP_XML130_TABLE_XML3]);
		row_set(row, "MA_LK", visit->ma_lk);
		row_take(row, "STT", g_strdup_printf("%u", i + 1));
		row_set(row, "MA_DICH_VU", line->line.code);
		row_take(row, "MA_NHOM", g_strdup_printf("%d", line->line.cost_group));
		row_set(row, "TEN_DICH_VU", line->line.name);
		row_set(row, "DON_VI_TINH", line->line.unit);
		row_take(row, "PHAM_VI", g_strdup_printf("%d", line->line.scope));
		row_take(row, "SO_LUONG", fmt_decimal(line->line.quantity, 3));
		row_take(row, "DON_GIA_BV", fmt_money(line->line.price_hospital * 100));
		row_take(row, "DON_GIA_BH", fmt_money(line->line.price_insurance * 100));
		row_take(row, "TYLE_TT_DV", g_strdup_printf("%d", line->line.service_rate));
		row_take(row, "TYLE_TT_BH", g_strdup_printf("%d", line->line.insurance_rate));
		row_take(row, "THANH_TIEN_BV", fmt_money(line->total_hospital));
		row_take(row, "THANH_TIEN_BH", fmt_money(line->total_insurance));
		row_set(row, "MUC_HUONG", benefit);
		row_set(row, "T_NGUONKHAC_NSNN", "0");
		row_set(row, "T_NGUONKHAC_VTNN", "0");
		row_set(row, "T_NGUONKHAC_VTTN", "0");
		row_set(row, "T_NGUONKHAC_CL", "0");
		row_set(row, "T_NGUONKHAC", "0");
		row_take(row, "T_BNTT", fmt_money(line->patient_pays));
		row_take(row, "T_BNCCT", fmt_money(line->copay));
		row_take(row, "T_BHTT", fmt_money(line->fund));
		row_set(row, "MA_KHOA", ex->settings->department_code);
		row_set(row, "MA_BAC_SI", license);
		row_set(row, "NGUOI_THUC_HIEN", license);
		row_set(row, "MA_BENH", icd);
		row_take(row, "NGAY_YL", fmt_datetime(line->line.ordered_at));
		row_take(row, "NGAY_TH_YL", fmt_datetime(line->line.performed_at));
		row_set(row, "MA_PTTT", "1");
		if (license == NULL)
			problem(ex, "XML3", "MA_BAC_SI",
				_("no practising-licence number is recorded for who gave service "
				  "%s; set it with “nhipctl user license ID --license NUMBER”"),
				line->line.code);
	}
	write_file(ex, NHIP_XML130_TABLE_XML3, rows, n);
	for (guint i = 0; i < n; i++)
		row_clear(&rows[i]);
}

/* CSST<M.._T.._HA../.._NT.._SP..> of one reading */
static gchar *
csst_string(const ObsRow *reading, guint n)
{
	static const struct {
		NhipVitalKind kind;
		const gchar *key;
		gint decimals;
	} order[] = {
		{ NHIP_VITAL_PULSE, "M", 0 },		{ NHIP_VITAL_TEMPERATURE, "T", 1 },
		{ NHIP_VITAL_BLOOD_PRESSURE, "HA", 0 }, { NHIP_VITAL_RESP_RATE, "NT", 0 },
		{ NHIP_VITAL_SPO2, "SP", 0 },
	};
	g_autoptr(GString) body = g_string_new(NULL);

	for (guint k = 0; k < G_N_ELEMENTS(order); k++) {
		const ObsRow *last = NULL;
		for (guint i = 0; i < n; i++) {
			if (reading[i].kind == order[k].kind)
				last = &reading[i];
		}
		if (last == NULL)
			continue;
		if (body->len > 0)
			g_string_append_c(body, '_');
		g_string_append(body, order[k].key);
		if (order[k].kind == NHIP_VITAL_BLOOD_PRESSURE) {
			g_autofree gchar *sys = fmt_decimal(last->value, 0);
			g_autofree gchar *dia = fmt_decimal(last->value2, 0);
			g_string_append_printf(body, "%s/%s", sys, dia);
		} else {
			g_autofree gchar *value = fmt_decimal(last->value, order[k].decimals);
			g_string_append(body, value);
		}
	}
	if (body->len == 0)
		return NULL;
	return g_strdup_printf("CSST<%s>", body->str);
}

static void
write_xml5(Export *ex, const VisitExtras *extras)
{
	const VisitRow *visit = ex->visit;
	g_autoptr(GArray) rows = g_array_new(FALSE, TRUE, sizeof(Row));
	const ObsRow *obs = (const ObsRow *)(gpointer)extras->observations->data;
	guint n = extras->observations->len;
	const gchar *fallback = examiner_license(visit, extras);

	for (guint start = 0; start < n;) {
		guint end = start + 1;
		g_autofree gchar *csst = NULL;
		const gchar *license = NULL;
		Row row = { 0 };

		while (end < n && obs[end].measured_at - obs[start].measured_at <= READING_WINDOW)
			end++;
		csst = csst_string(&obs[start], end - start);
		for (guint i = start; i < end && license == NULL; i++)
			license = obs[i].license;
		if (csst != NULL) {
			row_init(&row, &ex->tables[NHIP_XML130_TABLE_XML5]);
			row_set(&row, "MA_LK", visit->ma_lk);
			row_take(&row, "STT", g_strdup_printf("%u", rows->len + 1));
			row_take(&row, "DIEN_BIEN_LS", g_steal_pointer(&csst));
			row_take(&row, "THOI_DIEM_DBLS", fmt_datetime(obs[start].measured_at));
			row_set(&row, "NGUOI_THUC_HIEN", license != NULL ? license : fallback);
			g_array_append_val(rows, row);
		}
		start = end;
	}
	if (rows->len == 0) {
		/* no vital signs: the course is the reason and the diagnosis */
		Row row = { 0 };
		row_init(&row, &ex->tables[NHIP_XML130_TABLE_XML5]);
		row_set(&row, "MA_LK", visit->ma_lk);
		row_set(&row, "STT", "1");
		row_take(&row, "DIEN_BIEN_LS",
			 g_strjoin(". ", visit->reason != NULL ? visit->reason : "",
				   visit->diagnosis_text != NULL ? visit->diagnosis_text : "",
				   NULL));
		row_take(&row, "THOI_DIEM_DBLS", fmt_datetime(visit->opened_at));
		row_set(&row, "NGUOI_THUC_HIEN", fallback);
		g_array_append_val(rows, row);
	}
	for (guint i = 0; i < rows->len; i++) {
		if (g_array_index(rows, Row, i)
			    .values[nhip_xml130_table_find(ex->tables[NHIP_XML130_TABLE_XML5].table,
							   "NGUOI_THUC_HIEN")] == NULL) {
			problem(ex, "XML5", "NGUOI_THUC_HIEN",
				_("no practising-licence number is recorded for who measured the "
				  "vital signs; set it with “nhipctl user license ID --license "
				  "NUMBER”"));
			break;
		}
	}
	write_file(ex, NHIP_XML130_TABLE_XML5, (Row *)(gpointer)rows->data, rows->len);
	for (guint i = 0; i < rows->len; i++)
		row_clear(&g_array_index(rows, Row, i));
}

static void
require_director(Export *ex, const gchar *table)
{
	if (export_director(ex) != NULL)
		return;
	if (ex->profile == NHIP_XML130_PROFILE_3176)
		problem(ex, table, "MA_TTDV",
			_("the licence number of the head of the facility is not set; run "
			  "“nhipctl claim settings --director-license NUMBER”"));
	else
		problem(ex, table, "MA_TTDV",
			_("the BHXH number of the head of the facility is not set; run "
			  "“nhipctl claim settings --director-code NUMBER”"));
}

static void
write_xml13(Export *ex, const VisitExtras *extras, const gchar *category)
{
	const VisitRow *visit = ex->visit;
	Row row = { 0 };
	g_autoptr(GString) services = g_string_new(NULL);
	const gchar *license =
		extras->referral[9] != NULL ? extras->referral[9] : examiner_license(visit, extras);

	for (guint i = 0; i < extras->services->len; i++) {
		const ServiceRow *line = &g_array_index(extras->services, ServiceRow, i);
		if (services->len > 0)
			g_string_append(services, "; ");
		g_string_append(services, line->line.name);
	}
	row_init(&row, &ex->tables[NHIP_XML130_TABLE_XML13]);
	set_patient(ex, &row);
	set_diagnoses(ex, &row, extras);
	row_set(&row, "SO_HOSO", visit->ma_lk);
	row_set(&row, "SO_CHUYENTUYEN", extras->referral[0]);
	row_set(&row, "GIAY_CHUYEN_TUYEN", extras->referral[0]);
	row_set(&row, "MA_NOI_DI", ex->facility->code);
	row_set(&row, "MA_NOI_DEN", extras->referral[1]);
	row_set(&row, "MA_QUOCTICH", DEFAULT_NATIONALITY);
	row_set(&row, "MA_DANTOC", visit->ethnicity != NULL ? visit->ethnicity : DEFAULT_ETHNICITY);
	row_set(&row, "MA_NGHE_NGHIEP",
		ex->profile == NHIP_XML130_PROFILE_3176 ? DEFAULT_OCCUPATION_3176
							: DEFAULT_OCCUPATION_4750);
	row_set(&row, "DAU_HIEU_LS", extras->referral[2]);
	row_set(&row, "QT_BENHLY", extras->referral[3]);
	row_set(&row, "TOMTAT_KQ", extras->referral[4]);
	row_set(&row, "PP_DIEUTRI", visit->treatment);
	row_set(&row, "TEN_DICH_VU", services->str);
	row_set(&row, "PP_DIEU_TRI", visit->treatment);
	row_set(&row, "MA_LOAI_RV", extras->referral_reason == 3 ? "5" : "2");
	row_take(&row, "MA_LYDO_CT", g_strdup_printf("%d", extras->referral_reason));
	row_set(&row, "HUONG_DIEU_TRI", extras->referral[5]);
	row_set(&row, "PHUONGTIEN_VC", extras->referral[6]);
	row_set(&row, "HOTEN_NGUOI_HT", extras->referral[7]);
	row_set(&row, "CHUCDANH_NGUOI_HT", extras->referral[8]);
	row_set(&row, "MA_BAC_SI", license);
	row_set(&row, "MA_TTDV", export_director(ex));
	require_director(ex, "XML13");
	(void)category;
	write_file(ex, NHIP_XML130_TABLE_XML13, &row, 1);
	row_clear(&row);
}

static void
write_xml14(Export *ex, const VisitExtras *extras, const gchar *category)
{
	const VisitRow *visit = ex->visit;
	Row row = { 0 };
	const gchar *license = extras->appointment_license != NULL
				       ? extras->appointment_license
				       : examiner_license(visit, extras);
	g_autofree gchar *date = fmt_iso_date(extras->appointment_date);
	guint size = ex->tables[NHIP_XML130_TABLE_XML14]
			     .table
			     ->fields[nhip_xml130_table_find(
				     ex->tables[NHIP_XML130_TABLE_XML14].table, "NGAY_HEN_KL")]
			     .max_chars;

	row_init(&row, &ex->tables[NHIP_XML130_TABLE_XML14]);
	set_patient(ex, &row);
	set_diagnoses(ex, &row, extras);
	row_set(&row, "SO_GIAYHEN_KL", extras->appointment_number);
	/* QĐ 4750 gives the appointment a time (12 characters), QĐ 3176 a day (8); the
	 * station records the day, so the time is written as 0000 */
	row_take(&row, "NGAY_HEN_KL", size == 8 ? g_strdup(date) : g_strconcat(date, "0000", NULL));
	row_set(&row, "MA_DOITUONG_KCB", category);
	row_set(&row, "MA_BAC_SI", license);
	row_set(&row, "MA_TTDV", export_director(ex));
	row_take(&row, "NGAY_CT", fmt_date(extras->appointment_issued));
	require_director(ex, "XML14");
	write_file(ex, NHIP_XML130_TABLE_XML14, &row, 1);
	row_clear(&row);
}

static void
write_checkin(Export *ex, const VisitExtras *extras, const gchar *category)
{
	const VisitRow *visit = ex->visit;
	const ServiceRow *first;
	const gchar *card = insured_card(visit);
	Row row = { 0 };

	/* a check-in follows the first charge; emergencies are not checked in */
	if (extras->services->len == 0 || code_is(category, "2"))
		return;
	first = &g_array_index(extras->services, ServiceRow, 0);
	row_init(&row, &ex->tables[NHIP_XML130_TABLE_CHECKIN]);
	row_set(&row, "MA_LK", visit->ma_lk);
	row_take(&row, "STT", g_strdup_printf("%u", ++ex->n_checkin));
	row_take(&row, "MA_BN", g_strdup_printf("%" PRId64, visit->patient_id));
	row_set(&row, "HO_TEN", visit->name);
	row_set(&row, "SO_CCCD", visit->cccd);
	row_take(&row, "NGAY_SINH", fmt_birth(visit->birth));
	row_take(&row, "GIOI_TINH",
		 g_strdup_printf("%d", visit->sex == 1 || visit->sex == 2 ? visit->sex : 3));
	row_set(&row, "MA_THE_BHYT", card);
	row_set(&row, "MA_DKBD", card != NULL ? visit->bhyt_facility : NULL);
	if (card != NULL && visit->bhyt_from != NULL)
		row_take(&row, "GT_THE_TU", fmt_iso_date(visit->bhyt_from));
	if (card != NULL && visit->bhyt_to != NULL)
		row_take(&row, "GT_THE_DEN", fmt_iso_date(visit->bhyt_to));
	row_set(&row, "MA_DOITUONG_KCB", category);
	row_take(&row, "NGAY_VAO", fmt_datetime(visit->opened_at));
	row_set(&row, "MA_LOAI_KCB", visit->care_type);
	row_set(&row, "MA_CSKCB", ex->facility->code);
	row_set(&row, "MA_DICH_VU", first->line.code);
	row_set(&row, "TEN_DICH_VU", first->line.name);
	row_take(&row, "NGAY_YL", fmt_datetime(first->line.ordered_at));
	write_row(ex, ex->checkin, &row, ex->tables[NHIP_XML130_TABLE_CHECKIN].table->record);
	row_clear(&row);
}

static void
write_visit(Export *ex, const VisitExtras *extras)
{
	const VisitRow *visit = ex->visit;
	const gchar *category = visit_category(ex);

	xmlTextWriterStartElement(ex->envelope, BAD_CAST "HOSO");
	write_xml1(ex, extras, category);
	if (extras->services->len > 0)
		write_xml3(ex, extras);
	if (code_is(visit->care_type, "02") || code_is(visit->care_type, "03") ||
	    code_is(visit->care_type, "04") || code_is(visit->care_type, "05") ||
	    code_is(visit->care_type, "06") || code_is(visit->care_type, "08") ||
	    code_is(visit->care_type, "09"))
		write_xml5(ex, extras);
	if (extras->has_referral)
		write_xml13(ex, extras, category);
	if (extras->has_appointment)
		write_xml14(ex, extras, category);
	xmlTextWriterEndElement(ex->envelope);
	write_checkin(ex, extras, category);
}

/* ----- the queries ----- */

#define VISIT_SQL                                                                             \
	"SELECT v.id, v.ma_lk, v.opened_at, coalesce(v.closed_at, 0), v.reason, v.status, "   \
	"s.license_no, p.id, p.full_name, p.birth, p.sex, p.ethnicity, p.cccd, p.bhyt, "      \
	"p.bhyt_valid_from, p.bhyt_valid_to, p.bhyt_facility, p.address, p.province_code, "   \
	"p.district_code, p.commune_code, p.phone, coalesce(c.care_type, '01'), c.category, " \
	"c.diagnosis_text, c.treatment, c.referred_from, coalesce(c.outcome, 1) "             \
	"FROM visits v JOIN patients p ON p.id = v.patient_id "                               \
	"LEFT JOIN staff s ON s.id = v.staff_id "                                             \
	"LEFT JOIN visit_claims c ON c.visit_id = v.id WHERE "
#define DIAG_SQL                                                                                \
	"SELECT d.visit_id, d.icd10 FROM visit_diagnoses d JOIN visits v ON v.id = d.visit_id " \
	"WHERE "
#define SERVICE_SQL                                                                        \
	"SELECT x.visit_id, x.code, x.name, x.cost_group, x.unit, x.quantity, "            \
	"x.price_hospital, x.price_insurance, x.service_rate, x.insurance_rate, x.scope, " \
	"x.ordered_at, x.performed_at, s.license_no FROM visit_services x "                \
	"JOIN visits v ON v.id = x.visit_id LEFT JOIN staff s ON s.id = x.staff_id WHERE "
#define OBS_SQL                                                                       \
	"SELECT o.visit_id, o.loinc, o.value, o.value2, o.measured_at, s.license_no " \
	"FROM observations o JOIN visits v ON v.id = o.visit_id "                     \
	"LEFT JOIN staff s ON s.id = o.staff_id WHERE "
#define APPOINTMENT_SQL                                                   \
	"SELECT a.visit_id, a.number, a.date, a.issued_at, s.license_no " \
	"FROM visit_appointments a JOIN visits v ON v.id = a.visit_id "   \
	"LEFT JOIN staff s ON s.id = a.staff_id WHERE "
#define REFERRAL_SQL                                                                        \
	"SELECT r.visit_id, r.number, r.to_facility, r.signs, r.course, r.results, "        \
	"r.direction, r.transport, r.escort_name, r.escort_title, s.license_no, r.reason, " \
	"r.issued_at FROM visit_referrals r JOIN visits v ON v.id = r.visit_id "            \
	"LEFT JOIN staff s ON s.id = r.staff_id WHERE "

#define WHERE_ONE   "v.id = ?1 "
#define WHERE_RANGE "v.opened_at >= ?1 AND v.opened_at < ?2 "
#define ORDER	    " ORDER BY v.opened_at, v.id"

enum { Q_VISIT, Q_DIAG, Q_SERVICE, Q_OBS, Q_APPOINTMENT, Q_REFERRAL, N_QUERIES };

static const gchar *const queries_one[N_QUERIES] = {
	VISIT_SQL WHERE_ONE ORDER,
	DIAG_SQL WHERE_ONE ORDER ", d.seq",
	SERVICE_SQL WHERE_ONE ORDER ", x.ordered_at, x.id",
	OBS_SQL WHERE_ONE ORDER ", o.measured_at, o.id",
	APPOINTMENT_SQL WHERE_ONE ORDER,
	REFERRAL_SQL WHERE_ONE ORDER,
};

static const gchar *const queries_range[N_QUERIES] = {
	VISIT_SQL WHERE_RANGE ORDER,
	DIAG_SQL WHERE_RANGE ORDER ", d.seq",
	SERVICE_SQL WHERE_RANGE ORDER ", x.ordered_at, x.id",
	OBS_SQL WHERE_RANGE ORDER ", o.measured_at, o.id",
	APPOINTMENT_SQL WHERE_RANGE ORDER,
	REFERRAL_SQL WHERE_RANGE ORDER,
};

static void
visit_from_row(NhipStmt *stmt, VisitRow *visit)
{
	visit->id = sqlite3_column_int64(stmt, 0);
	visit->ma_lk = col_text(stmt, 1);
	visit->opened_at = sqlite3_column_int64(stmt, 2);
	visit->closed_at = sqlite3_column_int64(stmt, 3);
	visit->reason = col_text(stmt, 4);
	visit->open = g_strcmp0(col_text(stmt, 5), "open") == 0;
	visit->staff_license = col_text(stmt, 6);
	visit->patient_id = sqlite3_column_int64(stmt, 7);
	visit->name = col_text(stmt, 8);
	visit->birth = col_text(stmt, 9);
	visit->sex = sqlite3_column_int(stmt, 10);
	visit->ethnicity = col_text(stmt, 11);
	visit->cccd = col_text(stmt, 12);
	visit->bhyt = col_text(stmt, 13);
	visit->bhyt_from = col_text(stmt, 14);
	visit->bhyt_to = col_text(stmt, 15);
	visit->bhyt_facility = col_text(stmt, 16);
	visit->address = col_text(stmt, 17);
	visit->province = col_text(stmt, 18);
	visit->district = col_text(stmt, 19);
	visit->commune = col_text(stmt, 20);
	visit->phone = col_text(stmt, 21);
	visit->care_type = col_text(stmt, 22);
	visit->category = col_text(stmt, 23);
	visit->diagnosis_text = col_text(stmt, 24);
	visit->treatment = col_text(stmt, 25);
	visit->referred_from = col_text(stmt, 26);
	visit->outcome = sqlite3_column_int(stmt, 27);
}

/* a text column copied into the visit's string chunk; NULL and "" stay NULL */
static const gchar *
chunk_text(Export *ex, NhipStmt *stmt, gint index)
{
	const gchar *text = col_text(stmt, index);
	if (text == NULL || text[0] == '\0')
		return NULL;
	return g_string_chunk_insert(ex->strings, text);
}

/* reads the rows of the other queries that belong to @visit_id */
static gboolean
load_extras(Export *ex, Cursor *cursors, gint64 visit_id, VisitExtras *extras, GError **error)
{
	extras_reset(extras);
	while (cursor_at(&cursors[Q_DIAG], visit_id)) {
		g_ptr_array_add(extras->icd, (gpointer)chunk_text(ex, cursors[Q_DIAG].stmt, 1));
		if (!cursor_next(ex, &cursors[Q_DIAG], error))
			return FALSE;
	}
	while (cursor_at(&cursors[Q_SERVICE], visit_id)) {
		NhipStmt *stmt = cursors[Q_SERVICE].stmt;
		ServiceRow line = { 0 };
		line.line.code = (gchar *)chunk_text(ex, stmt, 1);
		line.line.name = (gchar *)chunk_text(ex, stmt, 2);
		line.line.cost_group = sqlite3_column_int(stmt, 3);
		line.line.unit = (gchar *)chunk_text(ex, stmt, 4);
		line.line.quantity = sqlite3_column_double(stmt, 5);
		line.line.price_hospital = sqlite3_column_int64(stmt, 6);
		line.line.price_insurance = sqlite3_column_int64(stmt, 7);
		line.line.service_rate = sqlite3_column_int(stmt, 8);
		line.line.insurance_rate = sqlite3_column_int(stmt, 9);
		line.line.scope = sqlite3_column_int(stmt, 10);
		line.line.ordered_at = sqlite3_column_int64(stmt, 11);
		line.line.performed_at = sqlite3_column_int64(stmt, 12);
		line.license = chunk_text(ex, stmt, 13);
		g_array_append_val(extras->services, line);
		if (!cursor_next(ex, &cursors[Q_SERVICE], error))
			return FALSE;
	}
	while (cursor_at(&cursors[Q_OBS], visit_id)) {
		NhipStmt *stmt = cursors[Q_OBS].stmt;
		const NhipVitalInfo *info = nhip_vital_info_by_loinc(col_text(stmt, 1));
		ObsRow obs = { 0 };
		if (info != NULL) {
			obs.kind = info->kind;
			obs.value = sqlite3_column_double(stmt, 2);
			obs.value2 = sqlite3_column_double(stmt, 3);
			obs.measured_at = sqlite3_column_int64(stmt, 4);
			obs.license = chunk_text(ex, stmt, 5);
			g_array_append_val(extras->observations, obs);
		}
		if (!cursor_next(ex, &cursors[Q_OBS], error))
			return FALSE;
	}
	if (cursor_at(&cursors[Q_APPOINTMENT], visit_id)) {
		NhipStmt *stmt = cursors[Q_APPOINTMENT].stmt;
		extras->has_appointment = TRUE;
		extras->appointment_number = chunk_text(ex, stmt, 1);
		extras->appointment_date = chunk_text(ex, stmt, 2);
		extras->appointment_issued = sqlite3_column_int64(stmt, 3);
		extras->appointment_license = chunk_text(ex, stmt, 4);
		if (!cursor_next(ex, &cursors[Q_APPOINTMENT], error))
			return FALSE;
	}
	if (cursor_at(&cursors[Q_REFERRAL], visit_id)) {
		NhipStmt *stmt = cursors[Q_REFERRAL].stmt;
		extras->has_referral = TRUE;
		for (guint i = 0; i < G_N_ELEMENTS(extras->referral); i++)
			extras->referral[i] = chunk_text(ex, stmt, 1 + (gint)i);
		extras->referral_reason = sqlite3_column_int(stmt, 11);
		extras->referral_issued = sqlite3_column_int64(stmt, 12);
		if (!cursor_next(ex, &cursors[Q_REFERRAL], error))
			return FALSE;
	}
	return TRUE;
}

static void
export_init_tables(Export *ex)
{
	for (guint t = 0; t < NHIP_XML130_N_TABLES; t++) {
		TableInfo *info = &ex->tables[t];
		info->table = nhip_xml130_table(ex->profile, t);
		info->index = g_hash_table_new(g_str_hash, g_str_equal);
		info->truncatable = g_new0(gboolean, info->table->n_fields);
		for (guint i = 0; i < info->table->n_fields; i++) {
			g_hash_table_insert(info->index, (gpointer)info->table->fields[i].name,
					    GUINT_TO_POINTER(i + 1));
			info->truncatable[i] = is_truncatable(info->table->fields[i].name);
		}
	}
}

static void
export_clear(Export *ex)
{
	for (guint t = 0; t < NHIP_XML130_N_TABLES; t++) {
		g_clear_pointer(&ex->tables[t].index, g_hash_table_unref);
		g_clear_pointer(&ex->tables[t].truncatable, g_free);
	}
	g_clear_pointer(&ex->table_buffer, xmlBufferFree);
	g_clear_pointer(&ex->envelope, xmlFreeTextWriter);
	g_clear_pointer(&ex->envelope_buffer, xmlBufferFree);
	g_clear_pointer(&ex->checkin, xmlFreeTextWriter);
	g_clear_pointer(&ex->checkin_buffer, xmlBufferFree);
	g_clear_pointer(&ex->problems, g_ptr_array_unref);
	g_clear_pointer(&ex->notes, g_ptr_array_unref);
	g_clear_pointer(&ex->strings, g_string_chunk_free);
	g_clear_pointer(&ex->visit_label, g_free);
	g_clear_pointer(&ex->facility, nhip_facility_free);
	g_clear_pointer(&ex->settings, nhip_claim_settings_free);
}

/* a writer into a buffer of about @size bytes, grown by doubling */
static xmlTextWriter *
export_writer(xmlBuffer **buffer, gsize size)
{
	xmlTextWriter *writer;

	*buffer = xmlBufferCreateSize(MIN(size, (gsize)G_MAXINT / 2));
	xmlBufferSetAllocationScheme(*buffer, XML_BUFFER_ALLOC_DOUBLEIT);
	writer = xmlNewTextWriterMemory(*buffer, 0);
	xmlTextWriterSetIndent(writer, 1);
	xmlTextWriterSetIndentString(writer, BAD_CAST "  ");
	xmlTextWriterWriteRaw(writer, BAD_CAST XML_DECLARATION);
	return writer;
}

/* the document, handed over without a copy */
static GBytes *
export_finish(xmlTextWriter **writer, xmlBuffer **buffer)
{
	gsize length;
	xmlChar *content;

	xmlTextWriterEndDocument(*writer);
	g_clear_pointer(writer, xmlFreeTextWriter);
	length = (gsize)xmlBufferLength(*buffer);
	content = xmlBufferDetach(*buffer);
	g_clear_pointer(buffer, xmlBufferFree);
	return g_bytes_new_with_free_func(content, length, (GDestroyNotify)xmlFree, content);
}

static gboolean
export_count(Export *ex,
	     const gchar *where,
	     gint64 a,
	     gint64 b,
	     gint64 *n_closed,
	     gint64 *n_open,
	     GError **error)
{
	g_autofree gchar *sql =
		g_strdup_printf("SELECT count(*) FILTER (WHERE v.status = 'closed'), "
				"count(*) FILTER (WHERE v.status = 'open') FROM visits v WHERE %s",
				where);
	g_autoptr(NhipStmt) stmt = nhipi_store_prepare(ex->store, sql, error);
	gint rc;

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, a);
	if (sqlite3_bind_parameter_count(stmt) > 1)
		sqlite3_bind_int64(stmt, 2, b);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		nhipi_store_set_error(ex->store, rc, _("count the visits to export"), error);
		return FALSE;
	}
	*n_closed = sqlite3_column_int64(stmt, 0);
	*n_open = sqlite3_column_int64(stmt, 1);
	return TRUE;
}

static void
release_cursors(Cursor *cursors)
{
	for (guint q = 0; q < N_QUERIES; q++) {
		if (cursors[q].stmt != NULL)
			nhipi_stmt_release(cursors[q].stmt);
		cursors[q].stmt = NULL;
	}
}

static NhipExportXml130 *
export_run(NhipStore *store,
	   gboolean one,
	   gint64 a,
	   gint64 b,
	   const NhipExportXml130Options *options,
	   GError **error)
{
	Export ex = { 0 };
	Cursor cursors[N_QUERIES] = { { NULL, FALSE } };
	const gchar *const *queries = one ? queries_one : queries_range;
	g_autoptr(NhipExportXml130) result = g_new0(NhipExportXml130, 1);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *created = NULL;
	VisitExtras extras = { 0 };
	gint64 n_closed = 0, n_open = 0;
	gboolean ok = FALSE;

	ex.store = store;
	ex.profile = options != NULL ? options->profile : NHIP_XML130_PROFILE_4750;
	ex.problems = g_ptr_array_new_with_free_func(g_free);
	ex.notes = g_ptr_array_new_with_free_func(g_free);
	ex.strings = g_string_chunk_new(4096);
	extras.icd = g_ptr_array_new();
	extras.services = g_array_new(FALSE, TRUE, sizeof(ServiceRow));
	extras.observations = g_array_new(FALSE, TRUE, sizeof(ObsRow));
	created = g_date_time_format(
		options != NULL && options->created != NULL ? options->created : now, "%Y%m%d");

	do {
		ex.facility = nhip_store_facility_get(store, error);
		if (ex.facility == NULL)
			break;
		ex.settings = nhip_store_claim_settings_get(store, error);
		if (ex.settings == NULL)
			break;
		if (!export_count(&ex, one ? WHERE_ONE : WHERE_RANGE, a, b, &n_closed, &n_open,
				  error))
			break;
		if (one && n_closed + n_open == 0) {
			g_set_error(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND,
				    _("there is no visit %" PRId64), a);
			break;
		}
		if (one && n_open > 0) {
			g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				    _("visit %" PRId64 " is still open; close it before it goes "
				      "into a claim"),
				    a);
			break;
		}
		if (n_closed == 0) {
			g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
					    _("there is no closed visit in that period to export"));
			break;
		}
		export_init_tables(&ex);
		/* a visit takes about 5 kB in the envelope */
		ex.table_buffer = xmlBufferCreateSize(16 * 1024);
		xmlBufferSetAllocationScheme(ex.table_buffer, XML_BUFFER_ALLOC_DOUBLEIT);
		ex.envelope = export_writer(&ex.envelope_buffer, (gsize)n_closed * 6 * 1024 + 4096);
		xmlTextWriterStartElement(ex.envelope, BAD_CAST "GIAMDINHHS");
		xmlTextWriterWriteAttribute(ex.envelope, BAD_CAST "xmlns:xsi",
					    BAD_CAST "http://www.w3.org/2001/XMLSchema-instance");
		xmlTextWriterWriteAttribute(ex.envelope, BAD_CAST "xmlns:xsd",
					    BAD_CAST "http://www.w3.org/2001/XMLSchema");
		xmlTextWriterStartElement(ex.envelope, BAD_CAST "THONGTINDONVI");
		xmlTextWriterWriteElement(ex.envelope, BAD_CAST "MACSKCB",
					  BAD_CAST ex.facility->code);
		xmlTextWriterEndElement(ex.envelope);
		xmlTextWriterStartElement(ex.envelope, BAD_CAST "THONGTINHOSO");
		xmlTextWriterWriteElement(ex.envelope, BAD_CAST "NGAYLAP", BAD_CAST created);
		xmlTextWriterWriteFormatElement(ex.envelope, BAD_CAST "SOLUONGHOSO", "%" PRId64,
						n_closed);
		xmlTextWriterStartElement(ex.envelope, BAD_CAST "DANHSACHHOSO");

		ex.checkin = export_writer(&ex.checkin_buffer, (gsize)n_closed * 1500 + 4096);
		xmlTextWriterStartElement(ex.checkin, BAD_CAST "CHI_TIEU_TRANG_THAI_KCB");
		xmlTextWriterStartElement(ex.checkin, BAD_CAST "DSACH_TRANG_THAI_KCB");

		ok = TRUE;
		for (guint q = 0; q < N_QUERIES && ok; q++) {
			cursors[q].stmt = nhipi_store_prepare(store, queries[q], error);
			if (cursors[q].stmt == NULL) {
				ok = FALSE;
				break;
			}
			sqlite3_bind_int64(cursors[q].stmt, 1, a);
			if (!one)
				sqlite3_bind_int64(cursors[q].stmt, 2, b);
			ok = cursor_next(&ex, &cursors[q], error);
		}
		while (ok && cursors[Q_VISIT].has_row) {
			VisitRow visit = { 0 };

			visit_from_row(cursors[Q_VISIT].stmt, &visit);
			g_string_chunk_clear(ex.strings);
			ok = load_extras(&ex, cursors, visit.id, &extras, error);
			if (!ok)
				break;
			if (!visit.open) {
				g_free(ex.visit_label);
				ex.visit_label = g_strdup_printf(_("visit %" PRId64 " (MA_LK %s)"),
								 visit.id, visit.ma_lk);
				ex.visit = &visit;
				compute_payments(&visit, &extras);
				write_visit(&ex, &extras);
				result->n_visits++;
				ex.visit = NULL;
			} else {
				result->n_open++;
			}
			ok = cursor_next(&ex, &cursors[Q_VISIT], error);
		}
	} while (FALSE);
	release_cursors(cursors);
	g_ptr_array_unref(extras.icd);
	g_array_unref(extras.services);
	g_array_unref(extras.observations);

	if (ok && ex.problems->len > 0) {
		g_autoptr(GString) message = g_string_new(NULL);
		g_string_append_printf(
			message,
			g_dngettext(
				GETTEXT_PACKAGE, "the claim cannot be made; %u problem to fix:",
				"the claim cannot be made; %u problems to fix:", ex.problems->len),
			ex.problems->len);
		for (guint i = 0; i < ex.problems->len && i < MAX_PROBLEMS_SHOWN; i++)
			g_string_append_printf(message, "\n  %s",
					       (const gchar *)ex.problems->pdata[i]);
		if (ex.problems->len > MAX_PROBLEMS_SHOWN)
			g_string_append_printf(message, _("\n  … and %u more"),
					       ex.problems->len - MAX_PROBLEMS_SHOWN);
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				    message->str);
		ok = FALSE;
	}
	if (!ok) {
		export_clear(&ex);
		return NULL;
	}

	xmlTextWriterEndElement(ex.envelope); /* DANHSACHHOSO */
	xmlTextWriterEndElement(ex.envelope); /* THONGTINHOSO */
	xmlTextWriterWriteElement(ex.envelope, BAD_CAST "CHUKYDONVI", BAD_CAST "");
	xmlTextWriterEndElement(ex.envelope); /* GIAMDINHHS */
	result->envelope = export_finish(&ex.envelope, &ex.envelope_buffer);
	xmlTextWriterEndElement(ex.checkin); /* DSACH_TRANG_THAI_KCB */
	xmlTextWriterWriteElement(ex.checkin, BAD_CAST "CHUKYDONVI", BAD_CAST "");
	xmlTextWriterEndElement(ex.checkin);
	if (ex.n_checkin > 0)
		result->checkin = export_finish(&ex.checkin, &ex.checkin_buffer);
	result->notes = g_steal_pointer(&ex.notes);
	export_clear(&ex);

	if (options != NULL && (options->sign_key != NULL || options->sign_cert != NULL)) {
		GBytes *signed_envelope = NULL;
		if (options->sign_key == NULL || options->sign_cert == NULL) {
			g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
					    _("signing needs both the key and the certificate"));
			return NULL;
		}
		signed_envelope = nhip_export_xml130_sign(result->envelope, options->sign_key,
							  options->sign_cert, error);
		if (signed_envelope == NULL)
			return NULL;
		g_bytes_unref(result->envelope);
		result->envelope = signed_envelope;
		if (result->checkin != NULL) {
			GBytes *signed_checkin = nhip_export_xml130_sign(
				result->checkin, options->sign_key, options->sign_cert, error);
			if (signed_checkin == NULL)
				return NULL;
			g_bytes_unref(result->checkin);
			result->checkin = signed_checkin;
		}
	}
	return g_steal_pointer(&result);
}

/**
 * nhip_export_xml130_visit:
 * @store: the store
 * @visit_id: a closed visit
 * @options: (nullable): profile, signing key, creation date
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the envelope with one HOSO and the check-in
 *   document, or %NULL with %NHIP_STORE_ERROR or %NHIP_EXPORT_ERROR (whose message lists
 *   every field of the visit that does not fit, one per line)
 */
NhipExportXml130 *
nhip_export_xml130_visit(NhipStore *store,
			 gint64 visit_id,
			 const NhipExportXml130Options *options,
			 GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	return export_run(store, TRUE, visit_id, 0, options, error);
}

/**
 * nhip_export_xml130_range:
 * @store: the store
 * @from: Unix time, inclusive
 * @to: Unix time, exclusive
 * @options: (nullable): profile, signing key, creation date
 * @error: return location for a #GError
 *
 * Exports the closed visits opened in [@from, @to); open ones are counted in
 * @n_open of the result and left out.
 *
 * Returns: (transfer full) (nullable): the envelope and the check-in document, or %NULL
 *   with %NHIP_STORE_ERROR or %NHIP_EXPORT_ERROR (listing the problems of every visit)
 */
NhipExportXml130 *
nhip_export_xml130_range(NhipStore *store,
			 gint64 from,
			 gint64 to,
			 const NhipExportXml130Options *options,
			 GError **error)
{
	g_return_val_if_fail(NHIP_IS_STORE(store), NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	return export_run(store, FALSE, from, to, options, error);
}

/**
 * nhip_export_xml130_free:
 * @self: (nullable): an export
 */
void
nhip_export_xml130_free(NhipExportXml130 *self)
{
	if (self == NULL)
		return;
	g_clear_pointer(&self->envelope, g_bytes_unref);
	g_clear_pointer(&self->checkin, g_bytes_unref);
	g_clear_pointer(&self->notes, g_ptr_array_unref);
	g_free(self);
}

/* ----- signing ----- */

static GString *xmlsec_last_error = NULL;
G_LOCK_DEFINE_STATIC(xmlsec);

static void
xmlsec_error_cb(const char *file,
		int line,
		const char *func,
		const char *error_object,
		const char *error_subject,
		int reason,
		const char *msg)
{
	if (xmlsec_last_error == NULL)
		return;
	g_string_truncate(xmlsec_last_error, 0);
	g_string_append_printf(xmlsec_last_error, "%s%s%s", msg != NULL ? msg : "",
			       error_subject != NULL ? " / " : "",
			       error_subject != NULL ? error_subject : "");
}

static gboolean
xmlsec_ready(GError **error)
{
	static gsize once = 0;
	static gboolean ok = FALSE;

	if (g_once_init_enter(&once)) {
		ok = xmlSecInit() >= 0 && xmlSecCheckVersion() == 1 &&
		     xmlSecCryptoAppInit(NULL) >= 0 && xmlSecCryptoInit() >= 0;
		if (ok)
			xmlSecErrorsSetCallback(xmlsec_error_cb);
		g_once_init_leave(&once, 1);
	}
	if (!ok)
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_FAILED,
				    _("the XML security library (xmlsec with OpenSSL) could not "
				      "start; signing is not possible"));
	return ok;
}

/* the key must belong to the certificate, and the certificate must be valid today;
 * gives the certificate's subject (RFC 2253) */
static gboolean
sign_check_pair(const gchar *key_path, const gchar *cert_path, gchar **subject, GError **error)
{
	g_autoptr(BIO) key_bio = BIO_new_file(key_path, "r");
	g_autoptr(BIO) cert_bio = BIO_new_file(cert_path, "r");
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(X509) cert = NULL;

	if (key_bio == NULL || (key = PEM_read_bio_PrivateKey(key_bio, NULL, NULL, NULL)) == NULL) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("cannot read the private key %s (a PEM file without a password is "
			      "needed)"),
			    key_path);
		return FALSE;
	}
	if (cert_bio == NULL || (cert = PEM_read_bio_X509(cert_bio, NULL, NULL, NULL)) == NULL) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("cannot read the certificate %s (a PEM file is needed)"), cert_path);
		return FALSE;
	}
	if (X509_check_private_key(cert, key) != 1) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("the key %s does not belong to the certificate %s"), key_path,
			    cert_path);
		return FALSE;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0 ||
	    X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("the certificate %s is not valid today (expired or not yet "
			      "valid); the claims portal would refuse the signature"),
			    cert_path);
		return FALSE;
	}
	{
		g_autoptr(BIO) out = BIO_new(BIO_s_mem());
		gchar *text = NULL;
		glong len;
		X509_NAME_print_ex(out, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
		len = BIO_get_mem_data(out, &text);
		*subject = g_strndup(text, len > 0 ? (gsize)len : 0);
	}
	return TRUE;
}

/**
 * nhip_export_xml130_sign:
 * @document: a GIAMDINHHS envelope or a check-in document with an empty CHUKYDONVI
 * @key_path: the facility's private key (PEM, RSA)
 * @cert_path: its certificate (PEM)
 * @error: return location for a #GError
 *
 * Signs the whole document with an enveloped XML-DSig signature (RSA-SHA256, SHA-256
 * digest, C14N 1.0) placed in CHUKYDONVI, with the certificate in KeyInfo/X509Data.
 *
 * Returns: (transfer full) (nullable): the signed document
 */
GBytes *
nhip_export_xml130_sign(GBytes *document,
			const gchar *key_path,
			const gchar *cert_path,
			GError **error)
{
	g_autoptr(xmlDoc) doc = NULL;
	xmlNode *root;
	xmlNode *container = NULL;
	xmlNode *signature;
	xmlNode *reference;
	xmlNode *key_info;
	xmlNode *x509;
	xmlSecDSigCtx *ctx;
	xmlChar *out = NULL;
	gint out_len = 0;
	gsize size = 0;
	gconstpointer data = g_bytes_get_data(document, &size);
	GBytes *result = NULL;
	g_autofree gchar *subject = NULL;

	g_return_val_if_fail(document != NULL && key_path != NULL && cert_path != NULL, NULL);
	if (!sign_check_pair(key_path, cert_path, &subject, error))
		return NULL;
	if (!xmlsec_ready(error))
		return NULL;
	if (size > G_MAXINT) {
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_FAILED,
				    _("the document is too large to sign"));
		return NULL;
	}
	doc = xmlReadMemory(data, (gint)size, NULL, "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOBLANKS);
	root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	for (xmlNode *child = root != NULL ? root->children : NULL; child != NULL;
	     child = child->next) {
		if (child->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(child->name, BAD_CAST "CHUKYDONVI"))
			container = child;
	}
	if (container == NULL) {
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_FAILED,
				    _("the document to sign has no CHUKYDONVI element"));
		return NULL;
	}
	signature = xmlSecTmplSignatureCreate(doc, xmlSecTransformInclC14NId,
					      xmlSecTransformRsaSha256Id, NULL);
	xmlAddChild(container, signature);
	reference = xmlSecTmplSignatureAddReference(signature, xmlSecTransformSha256Id, NULL,
						    BAD_CAST "", NULL);
	xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId);
	key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, NULL);
	x509 = xmlSecTmplKeyInfoAddX509Data(key_info);
	/* the subject name is outside what is signed; it is written from the certificate */
	xmlNodeSetContent(xmlSecTmplX509DataAddSubjectName(x509), BAD_CAST "");
	xmlSecTmplX509DataAddCertificate(x509);

	G_LOCK(xmlsec);
	xmlsec_last_error = g_string_new(NULL);
	ctx = xmlSecDSigCtxCreate(NULL);
	if (ctx != NULL) {
		ctx->signKey =
			xmlSecCryptoAppKeyLoad(key_path, xmlSecKeyDataFormatPem, NULL, NULL, NULL);
		if (ctx->signKey != NULL &&
		    xmlSecCryptoAppKeyCertLoad(ctx->signKey, cert_path, xmlSecKeyDataFormatPem) >=
			    0 &&
		    xmlSecDSigCtxSign(ctx, signature) >= 0) {
			xmlNode *name =
				xmlSecFindNode(signature, xmlSecNodeX509SubjectName, xmlSecDSigNs);
			if (name != NULL)
				xmlNodeAddContent(name, BAD_CAST subject);
			xmlDocDumpMemoryEnc(doc, &out, &out_len, "utf-8");
			result = g_bytes_new_with_free_func(out, (gsize)out_len,
							    (GDestroyNotify)xmlFree, out);
		}
		xmlSecDSigCtxDestroy(ctx);
	}
	if (result == NULL)
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_FAILED,
			    _("signing with %s failed: %s"), key_path,
			    xmlsec_last_error->len > 0 ? xmlsec_last_error->str : _("no details"));
	g_string_free(xmlsec_last_error, TRUE);
	xmlsec_last_error = NULL;
	G_UNLOCK(xmlsec);
	return result;
}

/**
 * nhip_export_xml130_verify:
 * @document: a signed GIAMDINHHS envelope or check-in document
 * @trusted_cert: a PEM certificate to trust: the facility's, or the CA that issued it
 * @error: return location for a #GError
 *
 * Verifies the XML-DSig signature in CHUKYDONVI: the certificate in its KeyInfo must chain
 * to @trusted_cert, the digest must match the document and the signature value the key.
 *
 * Returns: %TRUE when the signature verifies; %FALSE with %NHIP_EXPORT_ERROR_INVALID
 *   (unsigned, altered, not trusted) or %NHIP_EXPORT_ERROR_FAILED
 */
gboolean
nhip_export_xml130_verify(GBytes *document, const gchar *trusted_cert, GError **error)
{
	g_autoptr(xmlDoc) doc = NULL;
	xmlSecKeysMngr *manager = NULL;
	xmlSecDSigCtx *ctx = NULL;
	xmlNode *signature = NULL;
	gsize size = 0;
	gconstpointer data = g_bytes_get_data(document, &size);
	gboolean ok = FALSE;

	g_return_val_if_fail(document != NULL && trusted_cert != NULL, FALSE);
	if (!xmlsec_ready(error))
		return FALSE;
	if (size > G_MAXINT || size == 0) {
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				    _("the document is empty or too large to verify"));
		return FALSE;
	}
	/* the validator reads untrusted documents; this reads only well-formed ones without
	 * a DTD, and never from the network */
	if (g_strstr_len(data, (gssize)size, "<!DOCTYPE") != NULL) {
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				    _("the document has a DOCTYPE; it is not verified"));
		return FALSE;
	}
	doc = xmlReadMemory(data, (gint)size, NULL, "UTF-8",
			    XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	if (doc != NULL && xmlDocGetRootElement(doc) != NULL)
		signature = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature,
					   xmlSecDSigNs);
	if (signature == NULL) {
		g_set_error_literal(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				    _("the document is not signed (no XML-DSig signature)"));
		return FALSE;
	}
	G_LOCK(xmlsec);
	xmlsec_last_error = g_string_new(NULL);
	manager = xmlSecKeysMngrCreate();
	if (manager == NULL || xmlSecCryptoAppDefaultKeysMngrInit(manager) < 0 ||
	    xmlSecCryptoAppKeysMngrCertLoad(manager, trusted_cert, xmlSecKeyDataFormatPem,
					    xmlSecKeyDataTypeTrusted) < 0) {
		g_set_error(error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
			    _("cannot read the certificate %s (a PEM file is needed)"),
			    trusted_cert);
	} else {
		ctx = xmlSecDSigCtxCreate(manager);
		if (ctx != NULL && xmlSecDSigCtxVerify(ctx, signature) >= 0 &&
		    ctx->status == xmlSecDSigStatusSucceeded)
			ok = TRUE;
		else
			g_set_error(
				error, NHIP_EXPORT_ERROR, NHIP_EXPORT_ERROR_INVALID,
				_("the signature does not verify: the document was changed "
				  "after signing, or its certificate is not trusted by %s (%s)"),
				trusted_cert,
				xmlsec_last_error->len > 0 ? xmlsec_last_error->str
							   : _("no details"));
	}
	if (ctx != NULL)
		xmlSecDSigCtxDestroy(ctx);
	if (manager != NULL)
		xmlSecKeysMngrDestroy(manager);
	g_string_free(xmlsec_last_error, TRUE);
	xmlsec_last_error = NULL;
	G_UNLOCK(xmlsec);
	return ok;
}
