/*
 * Nhịp — HL7 v2.5.1 messages built from the station's records: ORU^R01 for a visit's vital
 * signs, ADT^A04 and ADT^A08 for a patient.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "nhip-export-error.h"
#include "nhip-hl7.h"
#include "nhip-store.h"

G_BEGIN_DECLS

/**
 * NhipExportHl7Type:
 * @NHIP_EXPORT_HL7_ORU_R01: unsolicited observation result: the vital signs of a visit
 * @NHIP_EXPORT_HL7_ADT_A04: register a patient (an outpatient arrives)
 * @NHIP_EXPORT_HL7_ADT_A08: update a patient's information
 *
 * The messages the station sends to a hospital information system.
 */
typedef enum {
	NHIP_EXPORT_HL7_ORU_R01,
	NHIP_EXPORT_HL7_ADT_A04,
	NHIP_EXPORT_HL7_ADT_A08,
} NhipExportHl7Type;

/**
 * NHIP_EXPORT_HL7_SENDING_APPLICATION:
 *
 * MSH-3 of every message we make.
 */
#define NHIP_EXPORT_HL7_SENDING_APPLICATION "NHIP"

/**
 * NHIP_EXPORT_HL7_ETHNICITY_SYSTEM:
 *
 * The coding system of PID-22: the General Statistics Office's list of the 54 ethnic
 * groups (two-digit codes), a local table in HL7's sense, hence the `99` prefix.
 */
#define NHIP_EXPORT_HL7_ETHNICITY_SYSTEM "99VNDT"

/**
 * NhipExportHl7Options:
 * @control_id: (nullable): MSH-10, or %NULL to generate a unique one
 * @message_time: (nullable): MSH-7 and EVN-2, or %NULL for now
 * @receiving_application: (nullable): MSH-5
 * @receiving_facility: (nullable): MSH-6
 *
 * Choices of the caller; a zeroed struct (or %NULL) gives the defaults.
 */
typedef struct {
	const gchar *control_id;
	GDateTime *message_time;
	const gchar *receiving_application;
	const gchar *receiving_facility;
} NhipExportHl7Options;

const gchar *nhip_export_hl7_type_to_string(NhipExportHl7Type type);
gboolean nhip_export_hl7_type_from_string(const gchar *text, NhipExportHl7Type *type);

void
nhip_export_hl7_split_name(const gchar *full_name, gchar **family, gchar **given, gchar **middle);

NhipHl7Message *nhip_export_hl7_build(NhipExportHl7Type type,
				      const NhipFacility *facility,
				      const NhipPatient *patient,
				      const NhipVisit *visit,
				      GPtrArray *observations,
				      const NhipExportHl7Options *options,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

NhipHl7Message *nhip_export_hl7_visit(NhipStore *store,
				      gint64 visit_id,
				      NhipExportHl7Type type,
				      const NhipExportHl7Options *options,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
NhipHl7Message *nhip_export_hl7_patient(NhipStore *store,
					gint64 patient_id,
					NhipExportHl7Type type,
					const NhipExportHl7Options *options,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
