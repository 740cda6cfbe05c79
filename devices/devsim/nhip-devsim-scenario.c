/*
 * Nhịp — the scenario files of nhip-devsim.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "nhip-decode.h"
#include "nhip-devsim-scenario.h"

static void
step_free(gpointer data)
{
	NhipDevsimStep *step = data;
	g_free(step->word);
	g_clear_pointer(&step->bytes, g_bytes_unref);
	g_free(step);
}

static gboolean
parse_number(const gchar *word, gdouble *value)
{
	gchar *end = NULL;
	if (word == NULL)
		return FALSE;
	*value = g_ascii_strtod(word, &end);
	return end != word && *end == '\0' && isfinite(*value);
}

static gboolean
parse_ms(const gchar *word, guint *ms)
{
	guint64 v = 0;
	if (word == NULL || !g_ascii_string_to_unsigned(word, 10, 0, 3600000, &v, NULL))
		return FALSE;
	*ms = (guint)v;
	return TRUE;
}

/**
 * nhip_devsim_scenario_parse:
 * @name: the file name, for messages
 * @text: the scenario
 * @kind: the simulated device, which decides the steps allowed
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type NhipDevsimStep): the steps, or %NULL with an
 *   error naming the line and showing how to write it
 */
GPtrArray *
nhip_devsim_scenario_parse(const gchar *name,
			   const gchar *text,
			   NhipDevsimKind kind,
			   GError **error)
{
	g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func(step_free);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint n = 0; lines[n] != NULL; n++) {
		g_autofree gchar *copy = g_strdup(lines[n]);
		gchar *hash = strchr(copy, '#');
		g_auto(GStrv) w = NULL;
		guint nw;
		NhipDevsimStep *step;
		gboolean ok = TRUE;
		const gchar *usage = NULL;

		if (hash != NULL)
			*hash = '\0';
		g_strstrip(copy);
		if (copy[0] == '\0')
			continue;
		w = g_strsplit_set(copy, " \t", -1);
		nw = 0;
		for (guint i = 0; w[i] != NULL; i++) {
			if (w[i][0] != '\0')
				w[nw++] = w[i];
			else
				g_free(w[i]);
		}
		w[nw] = NULL;
		step = g_new0(NhipDevsimStep, 1);
		step->line = n + 1;
		g_ptr_array_add(steps, step);

		if (g_strcmp0(w[0], "wait") == 0) {
			step->kind = NHIP_DEVSIM_STEP_WAIT;
			ok = nw == 2 && parse_ms(w[1], &step->ms);
			usage = "wait MS";
		} else if (g_strcmp0(w[0], "live") == 0) {
			step->kind = NHIP_DEVSIM_STEP_LIVE;
			ok = nw == 4 && parse_number(w[1], &step->a) &&
			     parse_number(w[2], &step->b) && parse_ms(w[3], &step->ms) &&
			     step->a >= 0 && step->a <= 127 && step->b >= 0 && step->b <= 255 &&
			     (kind == NHIP_DEVSIM_CMS50_F37 || kind == NHIP_DEVSIM_CMS50_OLD);
			usage = "live SPO2 PULSE MS (cms50)";
		} else if (g_strcmp0(w[0], "finger-out") == 0) {
			step->kind = NHIP_DEVSIM_STEP_FINGER_OUT;
			ok = nw == 2 && parse_ms(w[1], &step->ms) &&
			     (kind == NHIP_DEVSIM_CMS50_F37 || kind == NHIP_DEVSIM_CMS50_OLD);
			usage = "finger-out MS (cms50)";
		} else if (g_strcmp0(w[0], "weight") == 0) {
			step->kind = NHIP_DEVSIM_STEP_WEIGHT;
			ok = (nw == 2 || (nw == 4 && g_strcmp0(w[2], "height") == 0 &&
					  parse_number(w[3], &step->b))) &&
			     parse_number(w[1], &step->a) && kind == NHIP_DEVSIM_TANITA;
			usage = "weight KG [height CM] (tanita)";
		} else if (g_strcmp0(w[0], "record") == 0) {
			step->kind = NHIP_DEVSIM_STEP_RECORD;
			step->word = g_strdup(w[1]);
			usage = "record glucose MGDL [before-meal|after-meal] | record temperature "
				"CEL | record bp SYS DIA PULSE (taidoc)";
			ok = kind == NHIP_DEVSIM_TAIDOC && nw >= 3 && parse_number(w[2], &step->a);
			if (ok && g_strcmp0(w[1], "glucose") == 0) {
				guint8 flag = 0;
				if (nw == 4 && g_strcmp0(w[3], "before-meal") == 0)
					flag = 0x40;
				else if (nw == 4 && g_strcmp0(w[3], "after-meal") == 0)
					flag = 0x80;
				else if (nw != 3)
					ok = FALSE;
				step->bytes = g_bytes_new(&flag, 1);
			} else if (ok && g_strcmp0(w[1], "temperature") == 0) {
				ok = nw == 3;
			} else if (ok && g_strcmp0(w[1], "bp") == 0) {
				gdouble pulse = 0;
				ok = nw == 5 && parse_number(w[3], &step->b) &&
				     parse_number(w[4], &pulse);
				step->ms = (guint)pulse;
			} else {
				ok = FALSE;
			}
		} else if (g_strcmp0(w[0], "garbage") == 0) {
			g_autofree gchar *hex = g_strjoinv(" ", w + 1);
			step->kind = NHIP_DEVSIM_STEP_GARBAGE;
			step->bytes = nw > 1 ? nhip_hex_text_parse(hex, -1, NULL) : NULL;
			ok = step->bytes != NULL && g_bytes_get_size(step->bytes) > 0;
			usage = "garbage HEX…";
		} else if (g_strcmp0(w[0], "corrupt") == 0) {
			step->kind = NHIP_DEVSIM_STEP_CORRUPT;
			ok = nw == 1;
			usage = "corrupt";
		} else if (g_strcmp0(w[0], "cut") == 0) {
			step->kind = NHIP_DEVSIM_STEP_CUT;
			ok = nw == 1;
			usage = "cut";
		} else if (g_strcmp0(w[0], "replies") == 0) {
			step->kind = NHIP_DEVSIM_STEP_REPLIES;
			ok = nw == 2 && parse_ms(w[1], &step->ms) && kind == NHIP_DEVSIM_TAIDOC;
			usage = "replies N (taidoc)";
		} else if (g_strcmp0(w[0], "hangup") == 0) {
			step->kind = NHIP_DEVSIM_STEP_HANGUP;
			ok = nw == 1;
			usage = "hangup";
		} else if (g_strcmp0(w[0], "silence") == 0) {
			step->kind = NHIP_DEVSIM_STEP_SILENCE;
			ok = nw == 1;
			usage = "silence";
		} else if (g_strcmp0(w[0], "cue") == 0) {
			step->kind = NHIP_DEVSIM_STEP_CUE;
			ok = nw == 1;
			usage = "cue";
		} else {
			g_set_error(
				error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
				_("%s, line %u: unknown step “%s”; see devices/devsim/README.md"),
				name, n + 1, w[0]);
			return NULL;
		}
		if (!ok) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
				    _("%s, line %u: “%s” is wrong here; write: %s"), name, n + 1,
				    copy, usage);
			return NULL;
		}
	}
	return g_steal_pointer(&steps);
}
