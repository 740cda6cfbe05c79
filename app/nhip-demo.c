/*
 * Nhịp — realistic demo data for a commune station.
 *
 * The people are made up but look like a commune's register: Kinh names with the
 * frequencies of the census (Nguyễn for about a third), names of the Tày, Thái, Hmông,
 * Ê Đê and other groups in their own forms, birth dates or only birth years for the old,
 * CCCD numbers whose digits agree with sex and birth year, BHYT cards of the usual
 * beneficiary groups, and visits over the past year with vital signs that follow the
 * patient's age.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "nhip-demo.h"
#include "nhip-store-claims.h"
#include "nhip-store-private.h"

typedef struct {
	const gchar *text;
	guint weight;
} DemoWeighted;

static const DemoWeighted kinh_families[] = {
	{ "Nguyễn", 380 }, { "Trần", 110 }, { "Lê", 95 },   { "Phạm", 70 }, { "Hoàng", 30 },
	{ "Huỳnh", 20 },   { "Phan", 45 },  { "Vũ", 22 },   { "Võ", 17 },   { "Đặng", 21 },
	{ "Bùi", 20 },	   { "Đỗ", 14 },    { "Hồ", 13 },   { "Ngô", 13 },  { "Dương", 10 },
	{ "Lý", 5 },	   { "Đinh", 6 },   { "Lương", 4 }, { "Trịnh", 4 }, { "Mai", 3 },
	{ "Đào", 3 },	   { "Cao", 3 },    { "Tô", 2 },    { "Hà", 3 },
};

static const gchar *kinh_middle_male[] = { "Văn", "Văn",   "Văn",  "Đức",  "Minh", "Quang",
					   "Hữu", "Thanh", "Công", "Xuân", "Đình", "Ngọc" };
static const gchar *kinh_middle_female[] = { "Thị",   "Thị",  "Thị", "Thị",  "Ngọc",  "Thu",
					     "Thanh", "Minh", "Kim", "Hồng", "Phương" };
static const gchar *kinh_given_male[] = { "An",	   "Bình", "Cường", "Dũng",  "Đạt",   "Hải",
					  "Hùng",  "Huy",  "Khánh", "Long",  "Minh",  "Nam",
					  "Phong", "Quân", "Sơn",   "Thắng", "Tuấn",  "Việt",
					  "Lộc",   "Tài",  "Đông",  "Hiếu",  "Trung", "Tùng",
					  "Vinh",  "Phúc", "Khoa",  "Nghĩa", "Thành", "Đức" };
static const gchar *kinh_given_female[] = { "Anh",  "Chi",   "Dung",   "Đào",  "Hà",	"Hạnh",
					    "Hoa",  "Hương", "Lan",    "Linh", "Mai",	"Nga",
					    "Ngọc", "Nhung", "Phương", "Thảo", "Trang", "Vy",
					    "Yến",  "Hằng",  "Thủy",   "Oanh", "Loan",	"Huyền",
					    "Xuân", "Diệp",  "Quyên",  "Tâm",  "Thư",	"Ánh" };

static const gchar *tay_families[] = { "Nông", "Hoàng", "Lương", "Hà", "Ma", "Triệu" };
static const gchar *thai_families[] = { "Lò", "Lường", "Cầm", "Quàng", "Vì", "Hà" };
static const gchar *hmong_families[] = { "Giàng", "Vàng", "Sùng", "Thào", "Mùa", "Lý", "Hờ" };
static const gchar *hmong_given_male[] = { "Páo", "Chứ", "Dính", "Sính", "Pó", "Chá", "Sử" };
static const gchar *hmong_given_female[] = { "Mỷ", "Dợ", "Mai", "Sua", "Chở", "Dua", "Pà" };
static const gchar *ede_families[] = { "Niê", "Êban", "Mlô", "Byă", "Ktul", "Adrơng" };
static const gchar *ede_given_male[] = { "Bhin", "Blô", "Khu", "Hin", "Mia", "Tlang" };
static const gchar *ede_given_female[] = { "Hen", "Nga", "Bliu", "Linh", "Duôn", "Mai" };

/* the communes of the demo station's district, with their administrative codes */
typedef struct {
	const gchar *name;
	const gchar *code;
} DemoPlace;

static const DemoPlace communes[] = {
	{ "xã Tân Hòa", "24181" }, { "xã Ea Nuôl", "24184" },	{ "xã Krông Na", "24175" },
	{ "xã Ea Wer", "24187" },  { "xã Cuôr Knia", "24190" },
};
static const gchar *villages[] = { "Thôn 1",	   "Thôn 2",	  "Thôn 3",   "Thôn 4",
				   "Thôn 5",	   "Buôn Ea Mar", "Buôn Tul", "Buôn Drăng",
				   "Thôn Hòa Lộc", "Thôn Tân Phú" };

/* beneficiary groups seen at a commune station, with their benefit level */
typedef struct {
	const gchar *group;
	gchar level;
	guint weight;
} DemoCard;

static const DemoCard cards[] = {
	{ "GD", '4', 40 }, /* household members */
	{ "TE", '1', 15 }, /* children under six */
	{ "HT", '3', 8 },  /* retirees */
	{ "CN", '2', 8 },  /* poor households */
	{ "DT", '2', 10 }, /* ethnic minorities in hard-hit communes */
	{ "HS", '4', 9 },  /* pupils and students */
	{ "DN", '4', 6 },  /* company employees */
	{ "HC", '4', 4 },  /* civil servants */
};

static const gchar *reasons[] = {
	"Khám sức khỏe định kỳ", "Sốt, ho",  "Đau đầu, chóng mặt", "Tái khám tăng huyết áp",
	"Kiểm tra đường huyết",	 "Đau bụng", "Khám thai định kỳ",  "Tiêm chủng, theo dõi sau tiêm",
	"Đau lưng, đau khớp",	 "Khó thở",
};

/* common primary-care diagnoses (ICD-10) with their Vietnamese names */
typedef struct {
	const gchar *code;
	const gchar *name;
} DemoDiagnosis;

static const DemoDiagnosis diagnoses[] = {
	{ "I10", "Tăng huyết áp vô căn (nguyên phát)" },
	{ "J06.9", "Nhiễm trùng đường hô hấp trên cấp" },
	{ "E11.9", "Đái tháo đường type 2 không có biến chứng" },
	{ "J20.9", "Viêm phế quản cấp" },
	{ "K29.7", "Viêm dạ dày" },
	{ "M54.5", "Đau vùng thắt lưng" },
	{ "R51", "Đau đầu" },
	{ "A09", "Tiêu chảy và viêm dạ dày ruột do nhiễm trùng" },
	{ "Z00.0", "Khám sức khỏe tổng quát" },
	{ "J02.9", "Viêm họng cấp" },
	{ "R50.9", "Sốt không rõ nguyên nhân" },
	{ "Z34.9", "Theo dõi thai nghén bình thường" },
};

/* the examination fee of a commune station (a service of the national list; the price is
 * that of the demo, not an official one) */
#define DEMO_EXAM_CODE	      "02.1896"
#define DEMO_EXAM_NAME	      "Khám bệnh tại Trạm Y tế xã"
#define DEMO_EXAM_PRICE	      38700
#define DEMO_DEPARTMENT	      "K01"
#define DEMO_DIRECTOR_CODE    "6600123456"
#define DEMO_DIRECTOR_LICENSE "000123/ĐL-GPHN"
/* the district hospital patients are referred to */
#define DEMO_REFERRAL_TO "66001"

#define PICK(rand, array) (array[g_rand_int_range((rand), 0, G_N_ELEMENTS(array))])

static const gchar *
demo_weighted(GRand *rand, const DemoWeighted *table, guint n)
{
	guint total = 0;
	guint pick;

	for (guint i = 0; i < n; i++)
		total += table[i].weight;
	pick = (guint)g_rand_int_range(rand, 0, (gint32)total);
	for (guint i = 0; i < n; i++) {
		if (pick < table[i].weight)
			return table[i].text;
		pick -= table[i].weight;
	}
	return table[0].text;
}

static gchar *
demo_digits(GRand *rand, guint n)
{
	GString *out = g_string_sized_new(n);
	for (guint i = 0; i < n; i++)
		g_string_append_c(out, (gchar)('0' + g_rand_int_range(rand, 0, 10)));
	return g_string_free(out, FALSE);
}

static gchar *
demo_name(GRand *rand, const gchar *ethnicity, NhipSex sex)
{
	gboolean male = sex == NHIP_SEX_MALE;

	if (g_strcmp0(ethnicity, "08") == 0)
		return g_strdup_printf("%s %s %s", PICK(rand, hmong_families), male ? "A" : "Thị",
				       male ? PICK(rand, hmong_given_male)
					    : PICK(rand, hmong_given_female));
	if (g_strcmp0(ethnicity, "12") == 0)
		return g_strdup_printf("%s %s %s", male ? "Y" : "H'",
				       male ? PICK(rand, ede_given_male)
					    : PICK(rand, ede_given_female),
				       PICK(rand, ede_families));
	if (g_strcmp0(ethnicity, "02") == 0 || g_strcmp0(ethnicity, "07") == 0)
		return g_strdup_printf("%s %s %s", PICK(rand, tay_families), male ? "Văn" : "Thị",
				       male ? PICK(rand, kinh_given_male)
					    : PICK(rand, kinh_given_female));
	if (g_strcmp0(ethnicity, "03") == 0)
		return g_strdup_printf("%s %s %s", PICK(rand, thai_families), male ? "Văn" : "Thị",
				       male ? PICK(rand, kinh_given_male)
					    : PICK(rand, kinh_given_female));
	return g_strdup_printf("%s %s %s",
			       demo_weighted(rand, kinh_families, G_N_ELEMENTS(kinh_families)),
			       male ? PICK(rand, kinh_middle_male) : PICK(rand, kinh_middle_female),
			       male ? PICK(rand, kinh_given_male) : PICK(rand, kinh_given_female));
}

static const gchar *
demo_ethnicity(GRand *rand)
{
	static const DemoWeighted groups[] = {
		{ "01", 700 }, { "12", 90 }, { "02", 40 }, { "03", 35 }, { "08", 45 },
		{ "07", 30 },  { "10", 20 }, { "20", 20 }, { "09", 10 }, { "06", 10 },
	};
	return demo_weighted(rand, groups, G_N_ELEMENTS(groups));
}

/**
 * nhip_demo_make_patient:
 * @rand: a random source
 *
 * Returns: (transfer full): a made-up patient that passes validation
 */
NhipPatient *
nhip_demo_make_patient(GRand *rand)
{
	NhipPatient *patient = nhip_patient_new();
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	gint this_year = g_date_time_get_year(now);
	const DemoPlace *commune = &communes[g_rand_int_range(rand, 0, G_N_ELEMENTS(communes))];
	gint age;
	gint year;
	gint month;
	gint day;
	gint digit;

	patient->sex = g_rand_boolean(rand) ? NHIP_SEX_MALE : NHIP_SEX_FEMALE;
	patient->ethnicity = g_strdup(demo_ethnicity(rand));
	patient->full_name = demo_name(rand, patient->ethnicity, patient->sex);

	/* a commune's patients: many children and old people */
	switch (g_rand_int_range(rand, 0, 10)) {
	case 0:
	case 1:
		age = g_rand_int_range(rand, 0, 6);
		break;
	case 2:
		age = g_rand_int_range(rand, 6, 18);
		break;
	case 3:
	case 4:
	case 5:
		age = g_rand_int_range(rand, 18, 50);
		break;
	default:
		age = g_rand_int_range(rand, 50, 95);
		break;
	}
	year = this_year - age - 1;
	month = g_rand_int_range(rand, 1, 13);
	day = g_rand_int_range(rand, 1, 29);
	if (age >= 70 && g_rand_int_range(rand, 0, 3) == 0)
		patient->birth = g_strdup_printf("%04d", year);
	else
		patient->birth = g_strdup_printf("%04d-%02d-%02d", year, month, day);

	/* CCCD for adults and most children (since 2024 every citizen can have one) */
	if (age >= 14 || g_rand_int_range(rand, 0, 3) == 0) {
		g_autofree gchar *tail = demo_digits(rand, 6);
		digit = (year >= 2000 ? 2 : 0) + (patient->sex == NHIP_SEX_FEMALE ? 1 : 0);
		patient->cccd = g_strdup_printf("066%d%02d%s", digit, year % 100, tail);
	}
	/* most patients are insured */
	if (g_rand_int_range(rand, 0, 10) < 9) {
		const DemoCard *card = &cards[0];
		g_autofree gchar *number = demo_digits(rand, 10);
		guint pick = (guint)g_rand_int_range(rand, 0, 100);
		if (age < 6) {
			card = &cards[1];
		} else {
			for (guint i = 0; i < G_N_ELEMENTS(cards); i++) {
				if (pick < cards[i].weight) {
					card = &cards[i];
					break;
				}
				pick -= cards[i].weight;
			}
			/* the group must fit the age: TE under six, HS at school age, HT for
			 * retirees; otherwise the household card */
			if (g_strcmp0(card->group, "TE") == 0 ||
			    (g_strcmp0(card->group, "HS") == 0 && (age < 6 || age > 22)) ||
			    (g_strcmp0(card->group, "HT") == 0 && age < 55) ||
			    (age < 18 && (g_strcmp0(card->group, "DN") == 0 ||
					  g_strcmp0(card->group, "HC") == 0)))
				card = &cards[0];
		}
		patient->bhyt = g_strdup_printf("%s%c66%s", card->group, card->level, number);
		patient->bhyt_valid_from = g_strdup_printf("%04d-01-01", this_year);
		patient->bhyt_valid_to = g_strdup_printf("%04d-12-31", this_year);
		patient->bhyt_facility = g_strdup("66181");
	}
	if (age >= 16 && g_rand_int_range(rand, 0, 10) < 7) {
		static const gchar *prefixes[] = { "09", "03", "08", "07", "05" };
		g_autofree gchar *digits = demo_digits(rand, 8);
		patient->phone = g_strdup_printf("%s%s", PICK(rand, prefixes), digits);
	}
	if (age < 16) {
		g_autofree gchar *digits = demo_digits(rand, 8);
		patient->guardian_name = demo_name(rand, patient->ethnicity, NHIP_SEX_FEMALE);
		patient->guardian_relation = g_strdup("mẹ");
		patient->guardian_phone = g_strdup_printf("09%s", digits);
	}
	patient->address = g_strdup_printf("%s, %s, huyện Buôn Đôn, tỉnh Đắk Lắk",
					   PICK(rand, villages), commune->name);
	patient->province_code = g_strdup("66");
	patient->district_code = g_strdup("656");
	patient->commune_code = g_strdup(commune->code);
	return patient;
}

static gdouble
demo_normal(GRand *rand, gdouble mean, gdouble sd)
{
	/* Box–Muller */
	gdouble u1 = g_rand_double_range(rand, 1e-9, 1.0);
	gdouble u2 = g_rand_double(rand);
	return mean + sd * sqrt(-2.0 * log(u1)) * cos(2 * G_PI * u2);
}

static void
demo_add_vital(GPtrArray *list, NhipVitalKind kind, gdouble value, gdouble value2, gint64 at)
{
	NhipObservation *obs = nhip_observation_new(kind, value, value2);
	NhipVitalFlags flags = 0;

	obs->measured_at = at;
	if (!nhip_vital_check(kind, value, value2, &flags, NULL)) {
		nhip_observation_free(obs);
		return;
	}
	g_ptr_array_add(list, obs);
}

static GPtrArray *
demo_vitals(GRand *rand, gint age, gint64 at)
{
	GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)nhip_observation_free);
	gdouble weight;

	if (age >= 6) {
		gdouble sys = round(demo_normal(rand, 112 + age * 0.5, 14));
		gdouble dia = round(MIN(demo_normal(rand, 70 + age * 0.2, 9), sys - 25));
		demo_add_vital(list, NHIP_VITAL_BLOOD_PRESSURE, sys, dia, at);
	}
	demo_add_vital(list, NHIP_VITAL_PULSE, round(demo_normal(rand, age < 6 ? 110 : 78, 10)),
		       NAN, at + 5);
	demo_add_vital(
		list, NHIP_VITAL_TEMPERATURE,
		round(demo_normal(rand, g_rand_int_range(rand, 0, 5) == 0 ? 38.3 : 36.8, 0.4) *
		      10) /
			10,
		NAN, at + 20);
	demo_add_vital(list, NHIP_VITAL_SPO2, MIN(100, round(demo_normal(rand, 97.5, 1.2))), NAN,
		       at + 40);
	if (age < 1)
		weight = demo_normal(rand, 7, 1.5);
	else if (age < 16)
		weight = demo_normal(rand, 8 + age * 2.6, 3);
	else
		weight = demo_normal(rand, 54, 8);
	demo_add_vital(list, NHIP_VITAL_WEIGHT, round(MAX(weight, 2.5) * 10) / 10, NAN, at + 60);
	if (age >= 18 && g_rand_int_range(rand, 0, 4) == 0)
		demo_add_vital(list, NHIP_VITAL_HEIGHT, round(demo_normal(rand, 158, 7)), NAN,
			       at + 70);
	if (age >= 40 && g_rand_int_range(rand, 0, 3) == 0)
		demo_add_vital(list, NHIP_VITAL_GLUCOSE,
			       round(MAX(demo_normal(rand, 6.2, 1.8), 3.0) * 10) / 10, NAN,
			       at + 90);
	if (g_rand_int_range(rand, 0, 3) == 0)
		demo_add_vital(list, NHIP_VITAL_RESP_RATE,
			       round(demo_normal(rand, age < 6 ? 30 : 17, 2)), NAN, at + 100);
	return list;
}

static const struct {
	const gchar *name;
	NhipRole role;
	const gchar *pin;
	const gchar *license; /* practising certificate, for MA_BAC_SI */
} demo_staff[] = {
	{ "Y sĩ Lê Thị Hồng", NHIP_ROLE_STAFF, "1234", "004512/ĐL-CCHN" },
	{ "Điều dưỡng H'Nga Niê", NHIP_ROLE_STAFF, "2345", "004877/ĐL-CCHN" },
	{ "Bác sĩ Trần Văn Minh", NHIP_ROLE_DOCTOR, "3456", "001932/ĐL-CCHN" },
	{ "Kỹ thuật viên Phạm Quang Huy", NHIP_ROLE_TECHNICIAN, "9876", NULL },
};

/**
 * nhip_demo_staff_pin:
 * @name: a staff member's name
 *
 * The demo's accounts have published PINs, shown on the kiosk's login screen in demo
 * mode only.
 *
 * Returns: (transfer none) (nullable): the PIN of a demo account, %NULL for other names
 */
const gchar *
nhip_demo_staff_pin(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(demo_staff); i++) {
		if (g_strcmp0(demo_staff[i].name, name) == 0)
			return demo_staff[i].pin;
	}
	return NULL;
}

static gboolean
demo_add_staff(NhipStore *store, GArray *examiners, GError **error)
{
	g_autoptr(GPtrArray) existing = nhip_store_staff_list(store, error);

	if (existing == NULL)
		return FALSE;
	if (existing->len > 0) {
		for (guint i = 0; i < existing->len && examiners != NULL; i++) {
			NhipStaff *member = existing->pdata[i];
			if (member->role != NHIP_ROLE_TECHNICIAN)
				g_array_append_val(examiners, member->id);
		}
		return TRUE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(demo_staff); i++) {
		gint64 id = nhip_store_staff_add(store, demo_staff[i].name, demo_staff[i].role,
						 demo_staff[i].pin, error);
		if (id == 0)
			return FALSE;
		if (demo_staff[i].license != NULL) {
			if (!nhip_store_staff_set_license(store, id, demo_staff[i].license, error))
				return FALSE;
			if (examiners != NULL)
				g_array_append_val(examiners, id);
		}
	}
	return TRUE;
}

/* what the claim needs: the exam fee, the diagnosis in words, now and then treatment at
 * the station (care type 06), an appointment or a referral to the district hospital */
static gboolean
demo_add_claim(NhipStore *store,
	       GRand *rand,
	       const NhipPatient *patient,
	       gint64 visit_id,
	       gint64 at,
	       const gchar *diagnosis,
	       gint64 examiner,
	       GError **error)
{
	g_autoptr(NhipVisitClaim) claim = nhip_visit_claim_new(visit_id);
	g_autoptr(NhipVisitService) exam = nhip_visit_service_new(visit_id);
	gint pick = g_rand_int_range(rand, 0, 100);

	claim->diagnosis_text = g_strdup(diagnosis);
	if (pick < 5) {
		g_free(claim->care_type);
		claim->care_type = g_strdup("06");
		claim->treatment = g_strdup("Theo dõi, hạ sốt, bù nước tại trạm");
	}
	/* the demo's uninsured patients pay themselves; their category is written as 9
	 * (the meaning of the QĐ 824 codes is not certain, see README-xml130.md) */
	if (patient->bhyt == NULL)
		claim->category = g_strdup("9");
	if (!nhip_store_visit_claim_set(store, claim, error))
		return FALSE;
	exam->code = g_strdup(DEMO_EXAM_CODE);
	exam->name = g_strdup(DEMO_EXAM_NAME);
	exam->unit = g_strdup("Lần");
	exam->price_hospital = DEMO_EXAM_PRICE;
	exam->price_insurance = DEMO_EXAM_PRICE;
	exam->ordered_at = at + 60;
	exam->performed_at = at + 300;
	exam->staff_id = examiner;
	if (nhip_store_visit_service_add(store, exam, error) == 0)
		return FALSE;
	if (pick >= 5 && pick < 8) {
		NhipReferral referral = { 0 };
		g_autofree gchar *number = g_strdup_printf("CT%06" G_GINT64_FORMAT, visit_id);
		referral.visit_id = visit_id;
		referral.number = number;
		referral.to_facility = (gchar *)DEMO_REFERRAL_TO;
		referral.reason = 2;
		referral.signs = (gchar *)"Sốt cao, khó thở";
		referral.course = (gchar *)"Bệnh khởi phát 3 ngày, điều trị tại trạm không đỡ";
		referral.direction = (gchar *)"Chuyển Bệnh viện huyện khám và điều trị tiếp";
		referral.transport = (gchar *)"Xe cứu thương";
		referral.issued_at = at + 600;
		referral.staff_id = examiner;
		if (!nhip_store_visit_referral_set(store, &referral, error))
			return FALSE;
	} else if (pick >= 8 && pick < 20) {
		NhipAppointment appointment = { 0 };
		g_autoptr(GDateTime) when = g_date_time_new_from_unix_local(at + 14 * 86400);
		g_autofree gchar *date = g_date_time_format(when, "%Y-%m-%d");
		g_autofree gchar *number = g_strdup_printf("HK%06" G_GINT64_FORMAT, visit_id);
		appointment.visit_id = visit_id;
		appointment.number = number;
		appointment.date = date;
		appointment.issued_at = at + 600;
		appointment.staff_id = examiner;
		if (!nhip_store_visit_appointment_set(store, &appointment, error))
			return FALSE;
	}
	return TRUE;
}

/**
 * nhip_demo_fill:
 * @store: the store
 * @n_patients: patients to add
 * @visits_per_patient: average visits per patient over the past year
 * @seed: random seed; the same seed gives the same people
 * @error: return location for a #GError
 *
 * Sets the demo facility (if none is set), demo staff (PINs 1234, 2345, 3456, and 9876
 * for the technician; if there are no accounts yet) and adds patients with visits.
 * Batches of patients are committed together, so a large demo loads in seconds.
 *
 * Returns: %TRUE on success
 */
gboolean
nhip_demo_fill(NhipStore *store,
	       guint n_patients,
	       gdouble visits_per_patient,
	       guint32 seed,
	       GError **error)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	g_autoptr(NhipFacility) facility = NULL;
	g_autoptr(GError) error_local = NULL;
	g_autoptr(GError) error_settings = NULL;
	g_autoptr(NhipClaimSettings) settings = NULL;
	g_autoptr(GArray) examiners = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	guint done = 0;

	facility = nhip_store_facility_get(store, &error_local);
	if (facility == NULL) {
		g_autoptr(NhipFacility) demo = nhip_facility_new("66181", "Trạm Y tế xã Tân Hòa");
		if (!g_error_matches(error_local, NHIP_STORE_ERROR, NHIP_STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&error_local));
			return FALSE;
		}
		demo->commune_code = g_strdup("24181");
		demo->district_code = g_strdup("656");
		demo->province_code = g_strdup("66");
		demo->address = g_strdup("Thôn 3, xã Tân Hòa, huyện Buôn Đôn, tỉnh Đắk Lắk");
		if (!nhip_store_facility_set(store, demo, error))
			return FALSE;
	}
	if (!demo_add_staff(store, examiners, error))
		return FALSE;
	settings = nhip_store_claim_settings_get(store, &error_settings);
	if (settings == NULL) {
		NhipClaimSettings demo_settings = { (gchar *)DEMO_DEPARTMENT,
						    (gchar *)DEMO_DIRECTOR_CODE,
						    (gchar *)DEMO_DIRECTOR_LICENSE };
		if (!g_error_matches(error_settings, NHIP_STORE_ERROR,
				     NHIP_STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&error_settings));
			return FALSE;
		}
		if (!nhip_store_claim_settings_set(store, &demo_settings, error))
			return FALSE;
	}

	while (done < n_patients) {
		g_autoptr(NhipStoreTxn) txn = nhipi_store_txn_begin(store, error);
		guint batch = MIN(n_patients - done, 500);

		if (txn == NULL)
			return FALSE;
		for (guint i = 0; i < batch; i++) {
			g_autoptr(NhipPatient) patient = nhip_demo_make_patient(rand);
			g_autoptr(GError) error_patient = NULL;
			gint n_visits;
			gint age;
			gint64 registered = now - g_rand_int_range(rand, 300, 365) * 86400;

			nhipi_store_set_clock(store, registered);
			if (nhip_store_patient_add(store, patient, &error_patient) == 0) {
				/* a made-up CCCD that clashes with an earlier one: make
				 * another person instead */
				if (g_error_matches(error_patient, NHIP_STORE_ERROR,
						    NHIP_STORE_ERROR_CONFLICT)) {
					i--;
					continue;
				}
				nhipi_store_set_clock(store, 0);
				g_propagate_error(error, g_steal_pointer(&error_patient));
				return FALSE;
			}
			age = nhip_patient_age_years(patient, NULL);
			n_visits = (gint)floor(
				g_rand_double_range(rand, 0, 2 * visits_per_patient + 0.999));
			for (gint v = 0; v < n_visits; v++) {
				gint64 at =
					registered +
					(gint64)(v + 1) *
						g_rand_int_range(rand, 3600,
								 280 * 86400 / MAX(n_visits, 1));
				g_autoptr(GPtrArray) vitals = NULL;
				const gchar *codes[3] = { NULL, NULL, NULL };
				const DemoDiagnosis *main_diagnosis = NULL;
				gint64 visit_id;

				at = MIN(at, now - 3600);
				nhipi_store_set_clock(store, at);
				visit_id = nhip_store_visit_open(store, patient->id,
								 PICK(rand, reasons), error);
				if (visit_id == 0) {
					nhipi_store_set_clock(store, 0);
					return FALSE;
				}
				vitals = demo_vitals(rand, age, at + 120);
				nhipi_store_set_clock(store, at + 180);
				if (!nhip_store_observations_add(store, visit_id, vitals, error)) {
					nhipi_store_set_clock(store, 0);
					return FALSE;
				}
				main_diagnosis = &PICK(rand, diagnoses);
				codes[0] = main_diagnosis->code;
				if (g_rand_int_range(rand, 0, 4) == 0)
					codes[1] = PICK(rand, diagnoses).code;
				if (!demo_add_claim(
					    store, rand, patient, visit_id, at,
					    main_diagnosis->name,
					    examiners->len > 0
						    ? g_array_index(examiners, gint64,
								    g_rand_int_range(
									    rand, 0,
									    (gint32)examiners->len))
						    : 0,
					    error)) {
					nhipi_store_set_clock(store, 0);
					return FALSE;
				}
				nhipi_store_set_clock(store, at + 900);
				if (!nhip_store_visit_close(store, visit_id, codes, NULL, error)) {
					nhipi_store_set_clock(store, 0);
					return FALSE;
				}
			}
		}
		nhipi_store_set_clock(store, 0);
		if (!nhipi_store_txn_commit(txn, error))
			return FALSE;
		done += batch;
	}
	return TRUE;
}
