/*
 * Nhịp — registering a patient or correcting their details, with checks beside each field.
 *
 * Each field is checked with the core's validators when it loses the focus (and again as
 * it is corrected); saving checks the whole record as the store will, puts each problem
 * next to its field, and keeps everything typed. The write runs in the worker thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "nhip-codes.h"
#include "nhip-patient-form.h"
#include "nhip-text.h"
#include "nhip-ui-util.h"
#include "nhip-window.h"

typedef enum {
	FIELD_NAME,
	FIELD_BIRTH,
	FIELD_SEX,
	FIELD_ETHNICITY,
	FIELD_CCCD,
	FIELD_BHYT,
	FIELD_BHYT_FROM,
	FIELD_BHYT_TO,
	FIELD_ADDRESS,
	FIELD_PROVINCE,
	FIELD_PHONE,
	FIELD_GUARDIAN_NAME,
	FIELD_GUARDIAN_PHONE,
	FIELD_GUARDIAN_RELATION,
	N_FIELDS
} FormFieldId;

typedef struct {
	GtkWidget *input; /* GtkEntry, GtkDropDown or the sex box */
	GtkWidget *error;
	gboolean touched;
} FormField;

struct _NhipPatientForm {
	AdwBin parent_instance;

	GtkWidget *qr_hint;
	GtkWidget *scroller;
	GtkGrid *grid;
	GtkLabel *message_label;
	GtkWidget *save_button;

	NhipStation *station;
	FormField fields[N_FIELDS];
	GtkWidget *male;
	GtkWidget *female;
	gint64 patient_id; /* 0 for a new patient */
	NhipPatient *original;
	gboolean saving;
};

G_DEFINE_TYPE(NhipPatientForm, nhip_patient_form, ADW_TYPE_BIN)

static gchar *
form_text(NhipPatientForm *self, FormFieldId id)
{
	return nhip_ui_entry_text(self->fields[id].input);
}

static void
form_set_text(NhipPatientForm *self, FormFieldId id, const gchar *text)
{
	gtk_editable_set_text(GTK_EDITABLE(self->fields[id].input), text != NULL ? text : "");
}

static void
form_show_error(NhipPatientForm *self, FormFieldId id, const gchar *message)
{
	FormField *field = &self->fields[id];

	gtk_label_set_text(GTK_LABEL(field->error), message != NULL ? message : "");
	gtk_widget_set_visible(field->error, message != NULL);
	if (message != NULL)
		gtk_widget_add_css_class(field->input, "error");
	else
		gtk_widget_remove_css_class(field->input, "error");
}

static NhipSex
form_sex(NhipPatientForm *self)
{
	if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->male)))
		return NHIP_SEX_MALE;
	if (gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(self->female)))
		return NHIP_SEX_FEMALE;
	return NHIP_SEX_UNKNOWN;
}

/* checks one field alone; returns the message for it, NULL when fine */
static gchar *
form_check_field(NhipPatientForm *self, FormFieldId id)
{
	g_autofree gchar *text = NULL;
	g_autofree gchar *value = NULL;
	g_autoptr(GError) error = NULL;

	switch (id) {
	case FIELD_NAME:
		text = form_text(self, id);
		value = nhip_text_normalize_name(text);
		if (text == NULL)
			return g_strdup(_("Write the full name as on the card"));
		if (!nhip_validate_name(value, &error))
			return g_strdup(error->message);
		return NULL;
	case FIELD_BIRTH:
		text = form_text(self, id);
		if (text == NULL)
			return g_strdup(
				_("Write the date of birth (DD/MM/YYYY), or the year alone"));
		value = nhip_validate_birth(text, &error);
		return value == NULL ? g_strdup(error->message) : NULL;
	case FIELD_SEX:
		return form_sex(self) == NHIP_SEX_UNKNOWN ? g_strdup(_("Choose male or female"))
							  : NULL;
	case FIELD_CCCD:
		text = form_text(self, id);
		if (text == NULL)
			return NULL;
		value = nhip_validate_cccd(text, &error);
		return value == NULL ? g_strdup(error->message) : NULL;
	case FIELD_BHYT:
		text = form_text(self, id);
		if (text == NULL)
			return NULL;
		value = nhip_validate_bhyt(text, &error);
		return value == NULL ? g_strdup(error->message) : NULL;
	case FIELD_BHYT_FROM:
	case FIELD_BHYT_TO:
		text = form_text(self, id);
		if (text == NULL)
			return NULL;
		value = nhip_validate_date(text, id == FIELD_BHYT_TO, &error);
		return value == NULL ? g_strdup(error->message) : NULL;
	case FIELD_PHONE:
	case FIELD_GUARDIAN_PHONE:
		text = form_text(self, id);
		if (text == NULL)
			return NULL;
		value = nhip_validate_phone(text, &error);
		return value == NULL ? g_strdup(error->message) : NULL;
	case FIELD_ETHNICITY:
	case FIELD_ADDRESS:
	case FIELD_PROVINCE:
	case FIELD_GUARDIAN_NAME:
	case FIELD_GUARDIAN_RELATION:
	case N_FIELDS:
	default:
		return NULL;
	}
}

static gboolean
form_validate_field(NhipPatientForm *self, FormFieldId id)
{
	g_autofree gchar *message = form_check_field(self, id);
	form_show_error(self, id, message);
	return message == NULL;
}

static void
form_entry_changed(GtkEditable *editable, gpointer user_data)
{
	NhipPatientForm *self = user_data;
	FormFieldId id = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(editable), "field"));

	/* while a problem is shown, it goes away as soon as the field is right */
	if (gtk_widget_get_visible(self->fields[id].error))
		form_validate_field(self, id);
	gtk_label_set_text(self->message_label, "");
}

static void
form_entry_left(GtkEventControllerFocus *controller, gpointer user_data)
{
	NhipPatientForm *self = user_data;
	GtkWidget *entry = gtk_event_controller_get_widget(GTK_EVENT_CONTROLLER(controller));
	FormFieldId id = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(entry), "field"));

	self->fields[id].touched = TRUE;
	form_validate_field(self, id);
}

static void
form_sex_toggled(GtkToggleButton *button, gpointer user_data)
{
	NhipPatientForm *self = user_data;
	if (gtk_toggle_button_get_active(button))
		form_validate_field(self, FIELD_SEX);
}

static GtkWidget *
form_field_box(NhipPatientForm *self, FormFieldId id, const gchar *title, GtkWidget *input)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
	GtkWidget *label = nhip_ui_label(title, "field-title");
	FormField *field = &self->fields[id];

	field->input = input;
	field->error = nhip_ui_label(NULL, "field-error");
	gtk_widget_set_visible(field->error, FALSE);
	gtk_box_append(GTK_BOX(box), label);
	gtk_box_append(GTK_BOX(box), input);
	gtk_box_append(GTK_BOX(box), field->error);
	gtk_widget_set_margin_bottom(box, 6);
	/* the field's name for screen readers (and the UI tests) is its title */
	gtk_accessible_update_relation(GTK_ACCESSIBLE(input), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
				       label, NULL, -1);
	return box;
}

static GtkWidget *
form_entry(NhipPatientForm *self,
	   FormFieldId id,
	   const gchar *title,
	   const gchar *placeholder,
	   GtkInputPurpose purpose)
{
	GtkWidget *entry = gtk_entry_new();
	GtkEventController *focus = gtk_event_controller_focus_new();

	gtk_entry_set_placeholder_text(GTK_ENTRY(entry), placeholder);
	gtk_entry_set_input_purpose(GTK_ENTRY(entry), purpose);
	gtk_widget_add_css_class(entry, "big-entry");
	g_object_set_data(G_OBJECT(entry), "field", GINT_TO_POINTER(id));
	g_signal_connect(entry, "changed", G_CALLBACK(form_entry_changed), self);
	g_signal_connect(focus, "leave", G_CALLBACK(form_entry_left), self);
	gtk_widget_add_controller(entry, focus);
	return form_field_box(self, id, title, entry);
}

static GtkWidget *
form_dropdown(NhipPatientForm *self,
	      FormFieldId id,
	      const gchar *title,
	      const NhipCode *codes,
	      guint n_codes)
{
	g_autoptr(GtkStringList) names = gtk_string_list_new(NULL);
	GtkWidget *dropdown;

	gtk_string_list_append(names, _("Not chosen"));
	for (guint i = 0; i < n_codes; i++)
		gtk_string_list_append(names, codes[i].name);
	dropdown = gtk_drop_down_new(G_LIST_MODEL(g_steal_pointer(&names)), NULL);
	gtk_widget_add_css_class(dropdown, "big-dropdown");
	return form_field_box(self, id, title, dropdown);
}

static void
form_build(NhipPatientForm *self)
{
	const NhipCode *ethnicities;
	const NhipCode *provinces;
	guint n_ethnicities = 0;
	guint n_provinces = 0;
	GtkWidget *sex_box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
	gint row = 0;

	ethnicities = nhip_codes_ethnicities(&n_ethnicities);
	provinces = nhip_codes_provinces(&n_provinces);

	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_NAME, _("Full name *"), _("e.g. Nguyễn Thị Hoa"),
				   GTK_INPUT_PURPOSE_NAME),
			0, row, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_BIRTH, _("Date of birth *"),
				   _("DD/MM/YYYY, or the year"), GTK_INPUT_PURPOSE_FREE_FORM),
			1, row++, 1, 1);

	self->male = gtk_toggle_button_new_with_label(_("Male"));
	self->female = gtk_toggle_button_new_with_label(_("Female"));
	gtk_toggle_button_set_group(GTK_TOGGLE_BUTTON(self->female), GTK_TOGGLE_BUTTON(self->male));
	gtk_widget_set_hexpand(self->male, TRUE);
	gtk_widget_set_hexpand(self->female, TRUE);
	gtk_box_append(GTK_BOX(sex_box), self->male);
	gtk_box_append(GTK_BOX(sex_box), self->female);
	gtk_widget_add_css_class(sex_box, "linked");
	gtk_widget_add_css_class(sex_box, "sex-toggle");
	g_signal_connect(self->male, "toggled", G_CALLBACK(form_sex_toggled), self);
	g_signal_connect(self->female, "toggled", G_CALLBACK(form_sex_toggled), self);
	gtk_grid_attach(self->grid, form_field_box(self, FIELD_SEX, _("Sex *"), sex_box), 0, row, 1,
			1);
	gtk_grid_attach(
		self->grid,
		form_dropdown(self, FIELD_ETHNICITY, _("Ethnic group"), ethnicities, n_ethnicities),
		1, row++, 1, 1);

	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_CCCD, _("Citizen ID (CCCD)"), _("12 digits"),
				   GTK_INPUT_PURPOSE_DIGITS),
			0, row, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_BHYT, _("Health insurance card (BHYT)"),
				   _("e.g. GD4797931234567"), GTK_INPUT_PURPOSE_FREE_FORM),
			1, row++, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_BHYT_FROM, _("Card valid from"), _("DD/MM/YYYY"),
				   GTK_INPUT_PURPOSE_FREE_FORM),
			0, row, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_BHYT_TO, _("Card valid until"), _("DD/MM/YYYY"),
				   GTK_INPUT_PURPOSE_FREE_FORM),
			1, row++, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_ADDRESS, _("Address"),
				   _("Village, commune, district, province"),
				   GTK_INPUT_PURPOSE_FREE_FORM),
			0, row++, 2, 1);
	gtk_grid_attach(self->grid,
			form_dropdown(self, FIELD_PROVINCE, _("Province"), provinces, n_provinces),
			0, row, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_PHONE, _("Phone"), _("e.g. 0912 345 678"),
				   GTK_INPUT_PURPOSE_PHONE),
			1, row++, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_GUARDIAN_NAME, _("Guardian (for a child)"),
				   _("Full name of the parent or guardian"),
				   GTK_INPUT_PURPOSE_NAME),
			0, row, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_GUARDIAN_PHONE, _("Guardian's phone"),
				   _("e.g. 0912 345 678"), GTK_INPUT_PURPOSE_PHONE),
			1, row++, 1, 1);
	gtk_grid_attach(self->grid,
			form_entry(self, FIELD_GUARDIAN_RELATION, _("Relation to the patient"),
				   _("e.g. mother, father, grandmother"),
				   GTK_INPUT_PURPOSE_FREE_FORM),
			0, row++, 1, 1);
}

static guint
form_code_index(const NhipCode *codes, guint n_codes, const gchar *code)
{
	for (guint i = 0; code != NULL && i < n_codes; i++) {
		if (g_strcmp0(codes[i].code, code) == 0)
			return i + 1;
	}
	return 0;
}

static void
form_set_province(NhipPatientForm *self, const gchar *code)
{
	guint n = 0;
	const NhipCode *provinces = nhip_codes_provinces(&n);
	/* patients keep the two-digit GSO code; the list has it with a leading zero */
	g_autofree gchar *three = code != NULL ? g_strdup_printf("0%s", code) : NULL;
	gtk_drop_down_set_selected(GTK_DROP_DOWN(self->fields[FIELD_PROVINCE].input),
				   form_code_index(provinces, n, three));
}

static void
form_clear(NhipPatientForm *self)
{
	for (guint i = 0; i < N_FIELDS; i++) {
		FormField *field = &self->fields[i];
		field->touched = FALSE;
		if (GTK_IS_EDITABLE(field->input))
			gtk_editable_set_text(GTK_EDITABLE(field->input), "");
		else if (GTK_IS_DROP_DOWN(field->input))
			gtk_drop_down_set_selected(GTK_DROP_DOWN(field->input), 0);
		form_show_error(self, i, NULL);
	}
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->male), FALSE);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->female), FALSE);
	gtk_label_set_text(self->message_label, "");
}

/**
 * nhip_patient_form_load:
 * @self: the form
 * @patient_id: the patient to edit, or 0 to register a new one
 * @name_hint: (nullable): a name to start a new patient with
 */
void
nhip_patient_form_load(NhipPatientForm *self, gint64 patient_id, const gchar *name_hint)
{
	g_autoptr(GError) error = NULL;
	NhipPatient *patient;
	guint n = 0;
	const NhipCode *ethnicities = nhip_codes_ethnicities(&n);

	form_clear(self);
	g_clear_pointer(&self->original, nhip_patient_free);
	self->patient_id = patient_id;
	self->saving = FALSE;
	gtk_widget_set_sensitive(self->save_button, TRUE);
	gtk_button_set_label(GTK_BUTTON(self->save_button),
			     patient_id != 0 ? _("Save changes") : _("Save patient"));
	gtk_adjustment_set_value(
		gtk_scrolled_window_get_vadjustment(GTK_SCROLLED_WINDOW(self->scroller)), 0);
	if (patient_id == 0) {
		form_set_text(self, FIELD_NAME, name_hint);
		/* most patients of a commune station are Kinh; the list is there to change it */
		gtk_drop_down_set_selected(GTK_DROP_DOWN(self->fields[FIELD_ETHNICITY].input),
					   form_code_index(ethnicities, n, "01"));
		return;
	}
	patient = nhip_store_patient_get(nhip_station_get_store(self->station), patient_id, &error);
	if (patient == NULL) {
		gtk_label_set_text(self->message_label, error->message);
		gtk_widget_set_sensitive(self->save_button, FALSE);
		return;
	}
	self->original = patient;
	{
		g_autofree gchar *birth = nhip_ui_format_day(patient->birth);
		g_autofree gchar *from = nhip_ui_format_day(patient->bhyt_valid_from);
		g_autofree gchar *to = nhip_ui_format_day(patient->bhyt_valid_to);
		form_set_text(self, FIELD_NAME, patient->full_name);
		form_set_text(self, FIELD_BIRTH, birth);
		form_set_text(self, FIELD_CCCD, patient->cccd);
		form_set_text(self, FIELD_BHYT, patient->bhyt);
		form_set_text(self, FIELD_BHYT_FROM, from);
		form_set_text(self, FIELD_BHYT_TO, to);
	}
	form_set_text(self, FIELD_ADDRESS, patient->address);
	form_set_text(self, FIELD_PHONE, patient->phone);
	form_set_text(self, FIELD_GUARDIAN_NAME, patient->guardian_name);
	form_set_text(self, FIELD_GUARDIAN_PHONE, patient->guardian_phone);
	form_set_text(self, FIELD_GUARDIAN_RELATION, patient->guardian_relation);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->male), patient->sex == NHIP_SEX_MALE);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->female),
				     patient->sex == NHIP_SEX_FEMALE);
	gtk_drop_down_set_selected(GTK_DROP_DOWN(self->fields[FIELD_ETHNICITY].input),
				   form_code_index(ethnicities, n, patient->ethnicity));
	form_set_province(self, patient->province_code);
}

/**
 * nhip_patient_form_fill_qr:
 * @self: the form
 * @qr: a scanned citizen identity card
 *
 * Puts the card's name, number, birth date, sex and address in the form, leaving the
 * other fields as they are.
 */
void
nhip_patient_form_fill_qr(NhipPatientForm *self, const NhipCccdQr *qr)
{
	g_autofree gchar *birth = nhip_ui_format_day(qr->birth);

	form_set_text(self, FIELD_NAME, qr->full_name);
	form_set_text(self, FIELD_BIRTH, birth);
	form_set_text(self, FIELD_CCCD, qr->cccd);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->male), qr->sex == NHIP_SEX_MALE);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(self->female), qr->sex == NHIP_SEX_FEMALE);
	if (qr->address != NULL) {
		form_set_text(self, FIELD_ADDRESS, qr->address);
		form_set_province(self, nhip_cccd_qr_guess_province(qr->address));
	}
	for (guint i = 0; i < N_FIELDS; i++)
		form_validate_field(self, i);
}

/**
 * nhip_patient_form_get_patient_id:
 * @self: the form
 *
 * Returns: the patient being edited, 0 for a new one
 */
gint64
nhip_patient_form_get_patient_id(NhipPatientForm *self)
{
	return self->patient_id;
}

static NhipPatient *
form_make_patient(NhipPatientForm *self)
{
	NhipPatient *patient =
		self->original != NULL ? nhip_patient_copy(self->original) : nhip_patient_new();
	guint n = 0;
	const NhipCode *ethnicities = nhip_codes_ethnicities(&n);
	guint ethnicity =
		gtk_drop_down_get_selected(GTK_DROP_DOWN(self->fields[FIELD_ETHNICITY].input));
	guint province =
		gtk_drop_down_get_selected(GTK_DROP_DOWN(self->fields[FIELD_PROVINCE].input));

#define TAKE(member, id)                               \
	do {                                           \
		g_free(patient->member);               \
		patient->member = form_text(self, id); \
	} while (0)
	TAKE(full_name, FIELD_NAME);
	TAKE(birth, FIELD_BIRTH);
	TAKE(cccd, FIELD_CCCD);
	TAKE(bhyt, FIELD_BHYT);
	TAKE(bhyt_valid_from, FIELD_BHYT_FROM);
	TAKE(bhyt_valid_to, FIELD_BHYT_TO);
	TAKE(address, FIELD_ADDRESS);
	TAKE(phone, FIELD_PHONE);
	TAKE(guardian_name, FIELD_GUARDIAN_NAME);
	TAKE(guardian_phone, FIELD_GUARDIAN_PHONE);
	TAKE(guardian_relation, FIELD_GUARDIAN_RELATION);
#undef TAKE
	patient->sex = form_sex(self);
	g_free(patient->ethnicity);
	patient->ethnicity =
		ethnicity > 0 && ethnicity <= n ? g_strdup(ethnicities[ethnicity - 1].code) : NULL;
	g_free(patient->province_code);
	if (province > 0) {
		guint np = 0;
		const NhipCode *provinces = nhip_codes_provinces(&np);
		patient->province_code =
			province <= np ? g_strdup(provinces[province - 1].code + 1) : NULL;
	} else {
		patient->province_code = NULL;
	}
	return patient;
}

static gpointer
form_save_job(NhipStore *store, gpointer data, GError **error)
{
	NhipPatient *patient = data;
	gint64 *id;

	if (patient->id == 0) {
		gint64 new_id = nhip_store_patient_add(store, patient, error);
		if (new_id == 0)
			return NULL;
		patient->id = new_id;
	} else if (!nhip_store_patient_update(store, patient, error)) {
		return NULL;
	}
	id = g_new(gint64, 1);
	*id = patient->id;
	return id;
}

static void
form_saved(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(NhipPatientForm) self = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree gint64 *id = nhip_worker_run_finish(NHIP_WORKER(source), result, &error);
	NhipWindow *window = nhip_window_from_widget(GTK_WIDGET(self));

	self->saving = FALSE;
	gtk_widget_set_sensitive(self->save_button, TRUE);
	if (id == NULL) {
		/* a number already used by another patient belongs next to the number */
		if (g_error_matches(error, NHIP_STORE_ERROR, NHIP_STORE_ERROR_CONFLICT))
			form_show_error(self, FIELD_CCCD, error->message);
		gtk_label_set_text(self->message_label, error->message);
		if (window != NULL)
			nhip_window_error(window, _("The patient was not saved"), error);
		return;
	}
	nhip_station_notify_changed(self->station);
	if (window == NULL)
		return;
	nhip_window_toast(window,
			  self->patient_id != 0 ? _("Changes saved") : _("Patient registered"));
	nhip_window_open_patient(window, *id);
}

static void
patient_form_save(NhipPatientForm *self)
{
	g_autoptr(NhipPatient) patient = NULL;
	g_autoptr(GError) error = NULL;
	gint first_bad = -1;

	if (self->saving)
		return;
	for (guint i = 0; i < N_FIELDS; i++) {
		if (!form_validate_field(self, i) && first_bad < 0)
			first_bad = (gint)i;
	}
	patient = form_make_patient(self);
	/* what no single field shows: the CCCD against the birth date and sex, the card's
	 * dates against each other */
	if (first_bad < 0) {
		g_autoptr(NhipPatient) check = nhip_patient_copy(patient);
		if (!nhip_store_patient_check(check, &error)) {
			if (patient->cccd != NULL &&
			    !nhip_validate_cccd_matches(check->cccd, check->birth, check->sex,
							NULL))
				first_bad = FIELD_CCCD;
			else if (patient->bhyt_valid_to != NULL)
				first_bad = FIELD_BHYT_TO;
			else
				first_bad = FIELD_NAME;
			form_show_error(self, first_bad, error->message);
		}
	}
	if (first_bad >= 0) {
		gtk_label_set_text(self->message_label,
				   _("Some details need checking: see the messages in red"));
		gtk_widget_grab_focus(self->fields[first_bad].input);
		return;
	}
	self->saving = TRUE;
	gtk_widget_set_sensitive(self->save_button, FALSE);
	nhip_station_run(self->station, form_save_job, g_steal_pointer(&patient),
			 (GDestroyNotify)nhip_patient_free, g_free, form_saved, g_object_ref(self));
}

static void
patient_form_cancel(NhipPatientForm *self)
{
	nhip_window_go_back(nhip_window_from_widget(GTK_WIDGET(self)));
}

static void
patient_form_map(GtkWidget *widget)
{
	NhipPatientForm *self = NHIP_PATIENT_FORM(widget);

	GTK_WIDGET_CLASS(nhip_patient_form_parent_class)->map(widget);
	gtk_widget_grab_focus(self->fields[FIELD_NAME].input);
}

static void
nhip_patient_form_dispose(GObject *object)
{
	NhipPatientForm *self = NHIP_PATIENT_FORM(object);

	g_clear_pointer(&self->original, nhip_patient_free);
	g_clear_object(&self->station);
	G_OBJECT_CLASS(nhip_patient_form_parent_class)->dispose(object);
}

static void
nhip_patient_form_class_init(NhipPatientFormClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = nhip_patient_form_dispose;
	widget_class->map = patient_form_map;
	gtk_widget_class_set_template_from_resource(widget_class,
						    "/vn/nhip/Station/nhip-patient-form.ui");
	gtk_widget_class_bind_template_child(widget_class, NhipPatientForm, qr_hint);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientForm, scroller);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientForm, grid);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientForm, message_label);
	gtk_widget_class_bind_template_child(widget_class, NhipPatientForm, save_button);
	gtk_widget_class_bind_template_callback(widget_class, patient_form_save);
	gtk_widget_class_bind_template_callback(widget_class, patient_form_cancel);
}

static void
nhip_patient_form_init(NhipPatientForm *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	form_build(self);
}

/**
 * nhip_patient_form_new:
 * @station: the station
 *
 * Returns: (transfer floating): the register/edit screen
 */
GtkWidget *
nhip_patient_form_new(NhipStation *station)
{
	NhipPatientForm *self = g_object_new(NHIP_TYPE_PATIENT_FORM, NULL);
	self->station = g_object_ref(station);
	return GTK_WIDGET(self);
}
