/*
 * nhip-devsim — a vital-sign device on a pseudo-terminal, for demos and tests.
 *
 * Opens a pty, prints the path of its tty on the first line of standard output, and
 * behaves like the device on it: a Contec CMS50 oximeter (either protocol generation), a
 * Tanita scale or a TaiDoc meter, playing a scenario of readings and faults (see
 * README.md for the scenario format).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhip-cms50-proto.h"
#include "nhip-decode.h"
#include "nhip-taidoc-proto.h"
#include "nhip-tanita-proto.h"
#include "nhip-devsim-scenario.h"

#define DEVSIM_LIVE_HZ		  60
#define DEVSIM_SETTLE_MS	  100
#define DEVSIM_HANGUP_DELAY_MS	  200
#define DEVNHIP_DEVSIM_TAIDOC_MAX 64
#define DEVSIM_SCENARIO_EXT	  ".scenario"

typedef struct {
	NhipTaidocFamily family;
	gdouble value;
	gdouble value2;
	guint8 flags;
	GDateTime *time;
} TaidocRecord;

typedef struct {
	NhipDevsimKind kind;
	gint master;
	gchar *tty;
	GMainLoop *loop;
	GPtrArray *steps; /* NhipDevsimStep */
	guint next_step;
	GSource *step_timer;
	GSource *live_timer;
	GSource *open_timer;
	GSource *read_source;
	gboolean host_open;
	gboolean started;
	gboolean streaming; /* F37: the host asked for the live stream */
	gboolean silent;
	gboolean corrupt_next;
	gboolean cut_next;
	gint exit_status;
	/* live stream step */
	gint live_spo2;
	gint live_pulse;
	guint live_left;
	guint8 pleth;
	/* host bytes not yet understood */
	GByteArray *input;
	/* TaiDoc meter */
	guint16 taidoc_model;
	TaidocRecord records[DEVNHIP_DEVSIM_TAIDOC_MAX];
	guint n_records;
	guint replies;
	guint replies_wanted;
	/* a `cue` step holds the scenario until SIGUSR1; a cue given early is kept */
	gboolean cue_wanted;
	guint cues_early;
} Sim;

static void sim_run_steps(Sim *sim);

/* ---- sending ---------------------------------------------------------------------------- */

static gboolean
sim_hangup_cb(gpointer user_data)
{
	Sim *sim = user_data;

	g_debug("hang-up");
	if (sim->master >= 0) {
		close(sim->master);
		sim->master = -1;
	}
	g_main_loop_quit(sim->loop);
	return G_SOURCE_REMOVE;
}

/* the bytes already on the wire arrive before the cable is pulled: a pty drops what the
 * other side has not read yet when it hangs up */
static void
sim_hangup(Sim *sim)
{
	sim->silent = TRUE;
	g_timeout_add(DEVSIM_HANGUP_DELAY_MS, sim_hangup_cb, sim);
}

/* the bytes go out as they are, except that "cut" sends half of them and hangs up when
 * the scenario says so */
static void
sim_send(Sim *sim, const guint8 *buf, gsize len)
{
	gsize off = 0;

	if (sim->master < 0 || sim->silent)
		return;
	if (sim->cut_next) {
		sim->cut_next = FALSE;
		len = MAX(len / 2, 1);
	}
	while (off < len) {
		gssize n = write(sim->master, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { sim->master, POLLOUT, 0 };
			poll(&pfd, 1, 100);
			continue;
		}
		if (n < 0) {
			g_printerr("nhip-devsim: write to %s: %s\n", sim->tty, g_strerror(errno));
			return;
		}
		off += (gsize)n;
	}
}

/* ---- CMS50 frames ------------------------------------------------------------------------- */

/* an F37 message: type, then the MSB carrier, then data bytes with bit 7 set */
static void
sim_cms50_f37_send(Sim *sim, guint8 type, const guint8 *data, gsize n_data)
{
	guint8 frame[16] = { 0 };
	guint8 msb = 0x80;

	g_assert(n_data <= 7);
	frame[0] = type;
	for (gsize i = 0; i < n_data; i++) {
		if (data[i] & 0x80)
			msb |= (guint8)(1u << i);
		frame[2 + i] = data[i] | 0x80;
	}
	frame[1] = msb;
	if (sim->corrupt_next) {
		/* a byte without bit 7 inside the message: the receiver loses sync */
		sim->corrupt_next = FALSE;
		frame[4] &= 0x7F;
	}
	sim_send(sim, frame, 2 + n_data);
}

static void
sim_cms50_live_frame(Sim *sim, gint spo2, gint pulse)
{
	sim->pleth = (guint8)((sim->pleth + 7) % 100);
	if (sim->kind == NHIP_DEVSIM_CMS50_F37) {
		/* b2 status/signal, b3 pleth, b4 bar, b5 pulse, b6 SpO2, b7/b8 PI absent */
		guint8 data[7] = {
			0x05, sim->pleth, 0x10, (guint8)pulse, (guint8)spo2, 0xFF, 0xFF
		};
		if (spo2 == 0 && pulse == 0)
			data[0] = 0x04;
		sim_cms50_f37_send(sim, 0x01, data, sizeof(data));
	} else {
		guint8 frame[NHIP_CMS50_OLD_FRAME_SIZE] = { 0 };
		gboolean finger_out = spo2 == 0 && pulse == 0;
		frame[0] = 0x80 | (finger_out ? 0x10 : 0x05);
		frame[1] = sim->pleth & 0x7F;
		frame[2] = (guint8)(0x03 | ((pulse >> 1) & 0x40));
		frame[3] = (guint8)(pulse & 0x7F);
		frame[4] = (guint8)(spo2 & 0x7F);
		if (sim->corrupt_next) {
			sim->corrupt_next = FALSE;
			frame[3] |= 0x80;
		}
		sim_send(sim, frame, sizeof(frame));
	}
}

static gboolean
sim_live_cb(gpointer user_data)
{
	Sim *sim = user_data;

	if (sim->live_left == 0) {
		g_clear_pointer(&sim->live_timer, g_source_unref);
		sim_run_steps(sim);
		return G_SOURCE_REMOVE;
	}
	sim->live_left--;
	/* the F37 stream runs only while the host asked for it */
	if (sim->kind == NHIP_DEVSIM_CMS50_OLD || sim->streaming)
		sim_cms50_live_frame(sim, sim->live_spo2, sim->live_pulse);
	return G_SOURCE_CONTINUE;
}

static void
sim_cms50_text(Sim *sim, guint8 type, guint8 first, const gchar *text, gsize width)
{
	guint8 data[7] = { 0 };
	gsize n = 0;

	if (first != 0xFF)
		data[n++] = first;
	for (gsize i = 0; i < width; i++)
		data[n++] = (guint8)(i < strlen(text) ? text[i] : ' ');
	sim_cms50_f37_send(sim, type, data, n);
}

static void
sim_cms50_command(Sim *sim, const guint8 *cmd)
{
	switch (cmd[2]) {
	case NHIP_CMS50_CMD_MODEL:
		sim_cms50_text(sim, 0x02, 0, "CMS50E", 6);
		sim_cms50_text(sim, 0x02, 1, "", 6);
		break;
	case NHIP_CMS50_CMD_DEVICE_ID:
		sim_cms50_text(sim, 0x04, 0xFF, "SIM0001", 7);
		break;
	case NHIP_CMS50_CMD_START_LIVE:
		sim->streaming = TRUE;
		if (!sim->started) {
			sim->started = TRUE;
			sim_run_steps(sim);
		}
		break;
	case NHIP_CMS50_CMD_STOP_LIVE:
		sim->streaming = FALSE;
		break;
	default:
		/* stop stored, keep-alive, clock: nothing to answer */
		break;
	}
}

/* ---- Tanita line ---------------------------------------------------------------------------- */

static void
sim_tanita_line(Sim *sim, gdouble weight, gdouble height)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *date = g_date_time_format(now, "%d/%m/%Y");
	g_autofree gchar *time = g_date_time_format(now, "%H:%M:%S");
	g_autoptr(GString) line = g_string_new(NULL);
	guint8 cs;

	g_string_append_printf(line,
			       "{0,16,~0,1,~1,1,~2,1,MO,\"BC-545N\",SN,\"SIM00001\",Da,\"%s\","
			       "TI,\"%s\",Bt,0,GE,1,AG,34,Hm,%.1f,Pt,0.0,Wk,%.1f,FW,18.8,MI,%.1f,",
			       date, time, height, weight,
			       height > 0 ? weight / pow(height / 100.0, 2) : 0.0);
	cs = nhip_tanita_checksum((const guint8 *)line->str, line->len);
	if (sim->corrupt_next) {
		sim->corrupt_next = FALSE;
		cs ^= 0x5A;
	}
	g_string_append_printf(line, "CS,%02X}\r\n", cs);
	sim_send(sim, (const guint8 *)line->str, line->len);
}

/* ---- TaiDoc meter -------------------------------------------------------------------------- */

static void
sim_taidoc_reply(Sim *sim, guint8 cmd, guint8 d0, guint8 d1, guint8 d2, guint8 d3)
{
	guint8 data[4] = { d0, d1, d2, d3 };
	guint8 frame[NHIP_TAIDOC_FRAME_SIZE] = { 0 };

	nhip_taidoc_build_frame(cmd, data, NHIP_TAIDOC_DIR_FROM_METER, frame);
	if (sim->corrupt_next) {
		sim->corrupt_next = FALSE;
		frame[NHIP_TAIDOC_FRAME_SIZE - 1] ^= 0x5A;
	}
	sim_send(sim, frame, sizeof(frame));
	sim->replies++;
	if (sim->replies_wanted > 0 && sim->replies >= sim->replies_wanted) {
		sim->replies_wanted = 0;
		sim_run_steps(sim);
	}
}

static void
sim_taidoc_command(Sim *sim, const guint8 *f)
{
	guint16 index = (guint16)(f[2] | (f[3] << 8));
	const TaidocRecord *record = index < sim->n_records ? &sim->records[index] : NULL;

	switch (f[1]) {
	case NHIP_TAIDOC_CMD_CONNECT:
		sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_CONNECT, 0, 0, 0, 0);
		break;
	case NHIP_TAIDOC_CMD_GET_MODEL:
		sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_GET_MODEL, sim->taidoc_model & 0xFF,
				 sim->taidoc_model >> 8, 0, 0);
		break;
	case NHIP_TAIDOC_CMD_GET_CLOCK: {
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		guint16 day = (guint16)(((g_date_time_get_year(now) - 2000) << 9) |
					(g_date_time_get_month(now) << 5) |
					g_date_time_get_day_of_month(now));
		sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_GET_CLOCK, day & 0xFF, day >> 8,
				 (guint8)g_date_time_get_minute(now),
				 (guint8)g_date_time_get_hour(now));
		break;
	}
	case NHIP_TAIDOC_CMD_GET_RECORD_COUNT:
		sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_GET_RECORD_COUNT, sim->n_records & 0xFF,
				 (guint8)(sim->n_records >> 8), 0, 0);
		break;
	case NHIP_TAIDOC_CMD_GET_RECORD_TIME: {
		guint16 day = 0;
		if (record != NULL)
			day = (guint16)(((g_date_time_get_year(record->time) - 2000) << 9) |
					(g_date_time_get_month(record->time) << 5) |
					g_date_time_get_day_of_month(record->time));
		sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_GET_RECORD_TIME, day & 0xFF, day >> 8,
				 record ? (guint8)g_date_time_get_minute(record->time) : 0,
				 record ? (guint8)g_date_time_get_hour(record->time) : 0);
		break;
	}
	case NHIP_TAIDOC_CMD_GET_RECORD_VALUE: {
		guint16 v = 0;
		if (record == NULL) {
			sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_GET_RECORD_VALUE, 0, 0, 0, 0);
			break;
		}
		if (record->family == NHIP_TAIDOC_FAMILY_BLOOD_PRESSURE) {
			sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_GET_RECORD_VALUE,
					 (guint8)record->value, 0, (guint8)record->value2,
					 (guint8)(record->flags));
			break;
		}
		v = (guint16)lround(record->value);
		sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_GET_RECORD_VALUE, v & 0xFF, v >> 8, 0,
				 record->flags);
		break;
	}
	case NHIP_TAIDOC_CMD_POWER_OFF:
		sim_taidoc_reply(sim, NHIP_TAIDOC_CMD_POWER_OFF, 0, 0, 0, 0);
		break;
	default:
		g_debug("taidoc: command 0x%02x not answered", f[1]);
		break;
	}
}

/* ---- host input ----------------------------------------------------------------------------- */

static void
sim_handle_input(Sim *sim)
{
	GByteArray *in = sim->input;
	gsize pos = 0;

	while (pos < in->len) {
		const guint8 *p = in->data + pos;
		gsize avail = in->len - pos;

		if (sim->kind == NHIP_DEVSIM_CMS50_F37 && p[0] == 0x7D) {
			if (avail < NHIP_CMS50_F37_COMMAND_SIZE)
				break;
			if (!sim->silent)
				sim_cms50_command(sim, p);
			pos += NHIP_CMS50_F37_COMMAND_SIZE;
		} else if (sim->kind == NHIP_DEVSIM_TAIDOC && p[0] == NHIP_TAIDOC_START) {
			if (avail < NHIP_TAIDOC_FRAME_SIZE)
				break;
			if (p[6] == NHIP_TAIDOC_DIR_TO_METER &&
			    nhip_taidoc_checksum(p, NHIP_TAIDOC_FRAME_SIZE - 1) == p[7]) {
				if (!sim->silent)
					sim_taidoc_command(sim, p);
				pos += NHIP_TAIDOC_FRAME_SIZE;
			} else {
				pos++;
			}
		} else {
			/* the old CMS50 and the scale ignore what the host sends */
			pos++;
		}
		if (sim->master < 0)
			return;
	}
	g_byte_array_remove_range(in, 0, (guint)pos);
}

static gboolean sim_open_poll_cb(gpointer user_data);

static gboolean
sim_read_cb(gint fd, GIOCondition condition, gpointer user_data)
{
	Sim *sim = user_data;
	guint8 buf[512] = { 0 };
	gssize n = read(fd, buf, sizeof(buf));

	if (n > 0) {
		g_byte_array_append(sim->input, buf, (guint)n);
		sim_handle_input(sim);
		return G_SOURCE_CONTINUE;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	/* the host closed the tty: we are done */
	g_debug("the host closed %s", sim->tty);
	g_clear_pointer(&sim->read_source, g_source_unref);
	g_main_loop_quit(sim->loop);
	return G_SOURCE_REMOVE;
}

/* ---- the scenario --------------------------------------------------------------------------- */

static gboolean
sim_step_timer_cb(gpointer user_data)
{
	Sim *sim = user_data;
	g_clear_pointer(&sim->step_timer, g_source_unref);
	sim_run_steps(sim);
	return G_SOURCE_REMOVE;
}

static void
sim_add_record(Sim *sim, const NhipDevsimStep *step)
{
	TaidocRecord *record;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();

	if (sim->n_records >= DEVNHIP_DEVSIM_TAIDOC_MAX)
		return;
	record = &sim->records[sim->n_records++];
	/* record N is N minutes old */
	record->time = g_date_time_add_minutes(now, -(gint)(sim->n_records));
	record->value = step->a;
	record->value2 = step->b;
	record->flags = 0;
	if (g_strcmp0(step->word, "glucose") == 0) {
		record->family = NHIP_TAIDOC_FAMILY_GLUCOSE;
	} else if (g_strcmp0(step->word, "temperature") == 0) {
		record->family = NHIP_TAIDOC_FAMILY_THERMOMETER;
		record->value = step->a * 10;
	} else {
		record->family = NHIP_TAIDOC_FAMILY_BLOOD_PRESSURE;
		record->flags = (guint8)step->ms; /* pulse */
	}
	if (step->bytes != NULL)
		record->flags = *(const guint8 *)g_bytes_get_data(step->bytes, NULL);
}

/* runs steps until one has to wait */
static void
sim_run_steps(Sim *sim)
{
	while (sim->master >= 0 && sim->step_timer == NULL && sim->live_timer == NULL &&
	       sim->replies_wanted == 0 && !sim->cue_wanted && sim->next_step < sim->steps->len) {
		NhipDevsimStep *step = g_ptr_array_index(sim->steps, sim->next_step++);

		switch (step->kind) {
		case NHIP_DEVSIM_STEP_WAIT:
			sim->step_timer = g_timeout_source_new(step->ms);
			g_source_set_callback(sim->step_timer, sim_step_timer_cb, sim, NULL);
			g_source_attach(sim->step_timer, NULL);
			break;
		case NHIP_DEVSIM_STEP_LIVE:
		case NHIP_DEVSIM_STEP_FINGER_OUT:
			sim->live_spo2 = step->kind == NHIP_DEVSIM_STEP_LIVE ? (gint)step->a : 0;
			sim->live_pulse = step->kind == NHIP_DEVSIM_STEP_LIVE ? (gint)step->b : 0;
			sim->live_left = MAX(1u, step->ms * DEVSIM_LIVE_HZ / 1000);
			sim->live_timer = g_timeout_source_new(1000 / DEVSIM_LIVE_HZ);
			g_source_set_callback(sim->live_timer, sim_live_cb, sim, NULL);
			g_source_attach(sim->live_timer, NULL);
			break;
		case NHIP_DEVSIM_STEP_WEIGHT:
			sim_tanita_line(sim, step->a, step->b);
			break;
		case NHIP_DEVSIM_STEP_RECORD:
			sim_add_record(sim, step);
			break;
		case NHIP_DEVSIM_STEP_GARBAGE: {
			gsize len = 0;
			const guint8 *data = g_bytes_get_data(step->bytes, &len);
			sim_send(sim, data, len);
			break;
		}
		case NHIP_DEVSIM_STEP_CORRUPT:
			sim->corrupt_next = TRUE;
			break;
		case NHIP_DEVSIM_STEP_CUT:
			sim->cut_next = TRUE;
			break;
		case NHIP_DEVSIM_STEP_REPLIES:
			if (sim->replies < step->ms)
				sim->replies_wanted = step->ms;
			break;
		case NHIP_DEVSIM_STEP_HANGUP:
			sim_hangup(sim);
			sim->next_step = sim->steps->len;
			return;
		case NHIP_DEVSIM_STEP_SILENCE:
			sim->silent = TRUE;
			break;
		case NHIP_DEVSIM_STEP_CUE:
			if (sim->cues_early > 0)
				sim->cues_early--;
			else
				sim->cue_wanted = TRUE;
			break;
		default:
			g_assert_not_reached();
		}
	}
}

/* the host opened the tty when the master stops reporting a hang-up */
static gboolean
sim_open_poll_cb(gpointer user_data)
{
	Sim *sim = user_data;
	struct pollfd pfd = { sim->master, POLLIN, 0 };

	if (poll(&pfd, 1, 0) < 0 || (pfd.revents & POLLHUP))
		return G_SOURCE_CONTINUE;
	if (!sim->host_open) {
		/* give the host the time to set raw mode before anything arrives */
		sim->host_open = TRUE;
		return G_SOURCE_CONTINUE;
	}
	g_debug("the host opened %s", sim->tty);
	g_clear_pointer(&sim->open_timer, g_source_unref);
	sim->read_source = g_unix_fd_source_new(sim->master, G_IO_IN | G_IO_HUP | G_IO_ERR);
	g_source_set_callback(sim->read_source, G_SOURCE_FUNC(sim_read_cb), sim, NULL);
	g_source_attach(sim->read_source, NULL);
	/* the F37 oximeter and the meter wait for the host; the others start at once */
	if (sim->kind == NHIP_DEVSIM_CMS50_OLD || sim->kind == NHIP_DEVSIM_TANITA) {
		sim->started = TRUE;
		sim_run_steps(sim);
	} else if (sim->kind == NHIP_DEVSIM_TAIDOC) {
		/* memory records are loaded before the first question */
		sim->started = TRUE;
		sim_run_steps(sim);
	}
	return G_SOURCE_REMOVE;
}

/* ---- scenario files ----------------------------------------------------------------------- */

static const gchar *
sim_driver_dir(NhipDevsimKind kind)
{
	switch (kind) {
	case NHIP_DEVSIM_CMS50_F37:
	case NHIP_DEVSIM_CMS50_OLD:
		return "cms50";
	case NHIP_DEVSIM_TANITA:
		return "tanita";
	case NHIP_DEVSIM_TAIDOC:
		return "taidoc";
	default:
		g_assert_not_reached();
	}
}

/* a file path, or the name of a shipped scenario */
static gchar *
scenario_load(const gchar *scenario, NhipDevsimKind kind, gchar **name_out, GError **error)
{
	g_autofree gchar *contents = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *file = NULL;
	g_autofree gchar *path = NULL;
	const gchar *env = g_getenv("NHIP_DEVSIM_SCENARIOS");

	if (strchr(scenario, '/') != NULL || g_str_has_suffix(scenario, DEVSIM_SCENARIO_EXT)) {
		if (!g_file_get_contents(scenario, &contents, NULL, error))
			return NULL;
		*name_out = g_strdup(scenario);
		return g_steal_pointer(&contents);
	}
	/* installed scenarios, or those of the source tree when run from the build tree */
	if (env == NULL)
		env = g_file_test(NHIP_DEVSIM_SCENARIO_DIR, G_FILE_TEST_IS_DIR)
			      ? NHIP_DEVSIM_SCENARIO_DIR
			      : NHIP_DEVSIM_SOURCE_SCENARIO_DIR;
	dir = g_build_filename(env, sim_driver_dir(kind), NULL);
	file = g_strconcat(scenario, DEVSIM_SCENARIO_EXT, NULL);
	path = g_build_filename(dir, file, NULL);
	if (!g_file_get_contents(path, &contents, NULL, NULL)) {
		g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
		g_autoptr(GString) names = g_string_new(NULL);
		const gchar *entry;
		while (d != NULL && (entry = g_dir_read_name(d)) != NULL) {
			if (!g_str_has_suffix(entry, DEVSIM_SCENARIO_EXT))
				continue;
			if (names->len > 0)
				g_string_append(names, ", ");
			g_string_append_len(names, entry,
					    (gssize)(strlen(entry) - strlen(DEVSIM_SCENARIO_EXT)));
		}
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    _("there is no scenario “%s” for driver %s; the shipped ones are: %s "
			      "(or give a file)"),
			    scenario, sim_driver_dir(kind), names->len > 0 ? names->str : "-");
		return NULL;
	}
	*name_out = g_steal_pointer(&path);
	return g_steal_pointer(&contents);
}

/* ---- main -------------------------------------------------------------------------------- */

static gboolean
sim_signal_cb(gpointer user_data)
{
	Sim *sim = user_data;
	g_main_loop_quit(sim->loop);
	return G_SOURCE_CONTINUE;
}

/* SIGUSR1: the cue a `cue` step waits for */
static gboolean
sim_cue_cb(gpointer user_data)
{
	Sim *sim = user_data;

	if (sim->cue_wanted) {
		sim->cue_wanted = FALSE;
		sim_run_steps(sim);
	} else {
		sim->cues_early++;
	}
	return G_SOURCE_CONTINUE;
}

static gint
sim_open_pty(Sim *sim, GError **error)
{
	gint slave;
	const gchar *name;

	sim->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (sim->master < 0 || grantpt(sim->master) < 0 || unlockpt(sim->master) < 0 ||
	    (name = ptsname(sim->master)) == NULL) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    _("cannot make a pseudo-terminal: %s"), g_strerror(errno));
		return FALSE;
	}
	sim->tty = g_strdup(name);
	/* open and close the tty once, so that the master reports a hang-up until the host
	 * opens it: that is how we see the host arrive */
	slave = open(sim->tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    _("cannot open %s: %s"), sim->tty, g_strerror(errno));
		return FALSE;
	}
	close(slave);
	return TRUE;
}

int
main(int argc, char **argv)
{
	g_autofree gchar *driver = NULL;
	g_autofree gchar *protocol = NULL;
	g_autofree gchar *scenario = NULL;
	g_autofree gchar *scenario_name = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GByteArray) input = g_byte_array_new();
	g_autofree gchar *model = NULL;
	Sim sim = { 0 };
	GOptionEntry entries[] = {
		{ "driver", 0, 0, G_OPTION_ARG_STRING, &driver,
		  N_("Device to play: cms50, tanita or taidoc"), "NAME" },
		{ "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol,
		  N_("CMS50 protocol generation: f37 (default) or old"), "GEN" },
		{ "scenario", 0, 0, G_OPTION_ARG_STRING, &scenario,
		  N_("Scenario file, or the name of a shipped one (default: normal)"),
		  "FILE|NAME" },
		{ "model", 0, 0, G_OPTION_ARG_STRING, &model,
		  N_("TaiDoc model number (default 4277, a glucose meter)"), "NNNN" },
		{ NULL },
	};

	/* a simulator outlives no one: when the program that started it (the kiosk's demo
	 * mode, a test) dies, it goes too */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() == 1)
		return 1;
	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE,
		       g_getenv("NHIP_LOCALEDIR") != NULL ? g_getenv("NHIP_LOCALEDIR") : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);

	context = g_option_context_new(NULL);
	g_option_context_set_summary(
		context, _("Plays a vital-sign device on a pseudo-terminal and prints its tty."));
	g_option_context_add_main_entries(context, entries, GETTEXT_PACKAGE);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("nhip-devsim: %s\n", error->message);
		return 2;
	}
	if (driver == NULL || argc != 1) {
		g_printerr(_("usage: nhip-devsim --driver cms50|tanita|taidoc [--protocol "
			     "f37|old] [--scenario FILE|NAME]\n"));
		return 2;
	}
	if (g_strcmp0(driver, "cms50") == 0) {
		if (protocol == NULL || g_strcmp0(protocol, "f37") == 0) {
			sim.kind = NHIP_DEVSIM_CMS50_F37;
		} else if (g_strcmp0(protocol, "old") == 0) {
			sim.kind = NHIP_DEVSIM_CMS50_OLD;
		} else {
			g_printerr(_("nhip-devsim: --protocol must be f37 or old\n"));
			return 2;
		}
	} else if (g_strcmp0(driver, "tanita") == 0) {
		sim.kind = NHIP_DEVSIM_TANITA;
	} else if (g_strcmp0(driver, "taidoc") == 0) {
		guint64 bcd = 0x4277;
		sim.kind = NHIP_DEVSIM_TAIDOC;
		if (model != NULL &&
		    !g_ascii_string_to_unsigned(model, 16, 0x1000, 0x9999, &bcd, NULL)) {
			g_printerr(_("nhip-devsim: --model must be four digits, e.g. 4277\n"));
			return 2;
		}
		sim.taidoc_model = (guint16)bcd;
	} else {
		g_printerr(_("nhip-devsim: there is no simulated device “%s”; the devices are: "
			     "cms50, tanita, taidoc\n"),
			   driver);
		return 2;
	}
	text = scenario_load(scenario != NULL ? scenario : "normal", sim.kind, &scenario_name,
			     &error);
	if (text == NULL) {
		g_printerr("nhip-devsim: %s\n", error->message);
		return 2;
	}
	sim.steps = nhip_devsim_scenario_parse(scenario_name, text, sim.kind, &error);
	if (sim.steps == NULL) {
		g_printerr("nhip-devsim: %s\n", error->message);
		return 2;
	}
	if (!sim_open_pty(&sim, &error)) {
		g_printerr("nhip-devsim: %s\n", error->message);
		return 1;
	}
	sim.input = input;
	sim.loop = g_main_loop_new(NULL, FALSE);
	g_print("%s\n", sim.tty);
	fflush(stdout);

	sim.open_timer = g_timeout_source_new(DEVSIM_SETTLE_MS / 4);
	g_source_set_callback(sim.open_timer, sim_open_poll_cb, &sim, NULL);
	g_source_attach(sim.open_timer, NULL);
	g_unix_signal_add(SIGTERM, sim_signal_cb, &sim);
	g_unix_signal_add(SIGINT, sim_signal_cb, &sim);
	g_unix_signal_add(SIGUSR1, sim_cue_cb, &sim);
	g_main_loop_run(sim.loop);

	if (sim.open_timer != NULL) {
		g_source_destroy(sim.open_timer);
		g_source_unref(sim.open_timer);
	}
	if (sim.step_timer != NULL) {
		g_source_destroy(sim.step_timer);
		g_source_unref(sim.step_timer);
	}
	if (sim.live_timer != NULL) {
		g_source_destroy(sim.live_timer);
		g_source_unref(sim.live_timer);
	}
	if (sim.read_source != NULL) {
		g_source_destroy(sim.read_source);
		g_source_unref(sim.read_source);
	}
	for (guint i = 0; i < sim.n_records; i++)
		g_date_time_unref(sim.records[i].time);
	if (sim.master >= 0)
		close(sim.master);
	g_ptr_array_unref(sim.steps);
	g_main_loop_unref(sim.loop);
	g_free(sim.tty);
	return sim.exit_status;
}
