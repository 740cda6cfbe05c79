/*
 * Nhịp — the kiosk's call screen: a live consultation with the district doctor about the
 * current visit's case (once the case has reached the hub), or one a doctor started.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "nhip-measurement.h"
#include "nhip-station.h"

G_BEGIN_DECLS

#define NHIP_TYPE_CALL_PAGE (nhip_call_page_get_type())
G_DECLARE_FINAL_TYPE(NhipCallPage, nhip_call_page, NHIP, CALL_PAGE, AdwBin)

/**
 * NhipCallDemoMessage:
 * @sender: who wrote it, as the hub names senders (`doctor:USER`, `station:CODE`)
 * @text: the message
 * @at: when (Unix time)
 */
typedef struct {
	const gchar *sender;
	const gchar *text;
	gint64 at;
} NhipCallDemoMessage;

/**
 * NhipCallDemo:
 * @doctor: the doctor's display name in the call (`doctor:USER`)
 * @remote: (nullable): the doctor's picture
 * @local: (nullable): the station's own picture
 * @rtt: the round-trip time in seconds
 * @messages: (array zero-terminated=1) (nullable): the chat, ended by one with no text
 * @reading: (nullable): a reading sent to the doctor during the call
 *
 * A connected call to show without a network (nhip_call_page_show_demo()).
 */
typedef struct {
	const gchar *doctor;
	GdkTexture *remote;
	GdkTexture *local;
	gdouble rtt;
	const NhipCallDemoMessage *messages;
	NhipMeasurement *reading;
} NhipCallDemo;

GtkWidget *nhip_call_page_new(NhipStation *station);
void nhip_call_page_set_visit(NhipCallPage *self, gint64 visit_id);
gint64 nhip_call_page_get_visit(NhipCallPage *self);
void nhip_call_page_join(NhipCallPage *self, const gchar *descriptor_json);
gboolean nhip_call_page_in_call(NhipCallPage *self);
void nhip_call_page_hang_up(NhipCallPage *self);
void nhip_call_page_show_demo(NhipCallPage *self, const NhipCallDemo *demo);

G_END_DECLS
