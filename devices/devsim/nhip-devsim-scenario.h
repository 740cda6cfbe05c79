/*
 * Nhịp — the scenario files of nhip-devsim: one step per line (see README.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	NHIP_DEVSIM_STEP_WAIT,
	NHIP_DEVSIM_STEP_LIVE,
	NHIP_DEVSIM_STEP_FINGER_OUT,
	NHIP_DEVSIM_STEP_WEIGHT,
	NHIP_DEVSIM_STEP_RECORD,
	NHIP_DEVSIM_STEP_GARBAGE,
	NHIP_DEVSIM_STEP_CORRUPT,
	NHIP_DEVSIM_STEP_CUT,
	NHIP_DEVSIM_STEP_REPLIES,
	NHIP_DEVSIM_STEP_HANGUP,
	NHIP_DEVSIM_STEP_SILENCE,
	NHIP_DEVSIM_STEP_CUE,
} NhipDevsimStepKind;

typedef struct {
	NhipDevsimStepKind kind;
	guint line;
	gdouble a;
	gdouble b;
	guint ms;
	gchar *word;
	GBytes *bytes;
} NhipDevsimStep;

typedef enum {
	NHIP_DEVSIM_CMS50_F37,
	NHIP_DEVSIM_CMS50_OLD,
	NHIP_DEVSIM_TANITA,
	NHIP_DEVSIM_TAIDOC,
} NhipDevsimKind;

GPtrArray *nhip_devsim_scenario_parse(const gchar *name,
				      const gchar *text,
				      NhipDevsimKind kind,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
